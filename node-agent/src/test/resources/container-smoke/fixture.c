/* A fixture for ContainerProcessesIT: reads one command per line on stdin, answers on stdout.
 *   pid            -> "pid <getpid()>"           (the PID inside the container)
 *   fork           -> "child <pid>"              (a child that waits until its parent exits)
 *   write <path>   -> "wrote <path>"             (creates a file in the container's filesystem)
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

int main(void) {
  char line[512];
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("ready\n");
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(line, "pid") == 0) {
      printf("pid %d\n", (int) getpid());
    } else if (strcmp(line, "fork") == 0) {
      pid_t child = fork();
      if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) pause();
      }
      printf("child %d\n", (int) child);
    } else if (strncmp(line, "write ", 6) == 0) {
      FILE *f = fopen(line + 6, "w");
      if (f && fputs("written inside the container\n", f) >= 0 && fclose(f) == 0) {
        printf("wrote %s\n", line + 6);
      } else {
        printf("error writing %s\n", line + 6);
      }
    } else {
      printf("unknown command %s\n", line);
    }
  }
  return 0;
}
