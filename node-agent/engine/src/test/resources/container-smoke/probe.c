/* Preloaded into the fixture (LD_PRELOAD) to show that the image's preload path works:
 * it announces itself before main runs. It writes with dprintf, not stdio, so that it leaves
 * stdout's buffering for main to set. */
#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void announce(void) {
  dprintf(STDOUT_FILENO, "probe loaded in %d\n", (int) getpid());
}
