/* A fixture for ContainerProcessesIT: reads one command per line on stdin, answers on stdout.
 *   pid            -> "pid <getpid()>"           (the PID inside the container)
 *   fork           -> "child <pid>"              (a child that waits until its parent exits)
 *   write <path>   -> "wrote <path>"             (creates a file in the container's filesystem)
 *   leave          -> "left"                     (the main thread exits; a new thread reads on)
 *   exit           -> the process exits
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

static void *serve(void *unused) {
  char line[512];
  (void) unused;
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
    } else if (strcmp(line, "leave") == 0) {
      pthread_t next;
      if (pthread_create(&next, NULL, serve, NULL) != 0) {
        printf("error creating a thread\n");
        continue;
      }
      printf("left\n");
      pthread_exit(NULL); /* the main thread stays a zombie while the process lives */
    } else if (strcmp(line, "exit") == 0) {
      exit(0);
    } else {
      printf("unknown command %s\n", line);
    }
  }
  exit(0);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("ready\n");
  serve(NULL);
  return 0;
}
