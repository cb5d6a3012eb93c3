/* auth-service: the demo's long-running service. Twice a second it checks a few login
 * attempts with libauth and prints the verdicts, so the effect of a live patch shows in
 * its output without a restart. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "libauth.h"

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("auth-service started, pid %d\n", (int)getpid());
  for (unsigned long tick = 1;; tick++) {
    printf("[%lu] password \"s3cret\": %-7s  password \"\": %-7s  password \"guess\": %-7s  failed attempts: %d\n",
           tick, auth_check("s3cret") ? "granted" : "denied", auth_check("") ? "granted" : "denied",
           auth_check("guess") ? "granted" : "denied", auth_failures());
    struct timespec half = {0, 500000000};
    nanosleep(&half, NULL);
  }
}
