/* zlib-service: the second part of the demo. An ordinary program that uses the system's own,
 * unmodified libz.so.1 (no kulp padding: a distribution build). Twice a second it prints how
 * large a buffer zlib says a compressed 64 KiB block may need, so a live patch of libz shows in
 * its output without a restart. */
#include <stdio.h>
#include <time.h>
#include <zlib.h>

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("zlib-service started with zlib %s\n", zlibVersion());
  for (unsigned long tick = 1;; tick++) {
    printf("[%lu] compressBound(65536) = %lu\n", tick, (unsigned long)compressBound(65536));
    struct timespec half = {0, 500000000};
    nanosleep(&half, NULL);
  }
}
