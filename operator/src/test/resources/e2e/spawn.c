/* spawn: starts N copies of a program, each reading a pipe that is never written, and waits.
 * The memory measurement (AgentMemoryE2E) uses it to put many target processes into one container:
 *   spawn N PROGRAM...   prints "spawned N" once every child runs. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: spawn N PROGRAM [ARGS...]\n");
    return 2;
  }
  int n = atoi(argv[1]);
  int fds[2];
  if (pipe(fds) != 0) return 1;
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      dup2(fds[0], 0);
      close(fds[0]);
      close(fds[1]);
      int devnull = open("/dev/null", 1);
      if (devnull >= 0) dup2(devnull, 1);
      execv(argv[2], argv + 2);
      _exit(127);
    }
  }
  printf("spawned %d\n", n);
  fflush(stdout);
  while (wait(NULL) > 0) {
  }
  return 0;
}
