/* Writing code while other threads run it.
 *
 * Only two kinds of stores ever change bytes a thread may be executing: the 2-byte
 * entry instruction (66 90 <-> eb xx) and the pad's 8-byte jump target. Each is one
 * single-copy-atomic store (2 bytes inside a quadword, 8 bytes aligned), so a
 * concurrent thread fetches either the old or the new instruction, both valid; the
 * two-NOP form (90 90) is never replaced directly, see self_write.c. After the stores,
 * membarrier(SYNC_CORE) makes every thread of the process serialize before it runs
 * user code again, as JITs do. docs/design.md has the full argument. */
#include <errno.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"

static int sync_core; /* 1: registered, -1: unavailable */

static uintptr_t page_down(uintptr_t a) { return a & ~(uintptr_t)4095; }
static uintptr_t page_up(uintptr_t a) { return (a + 4095) & ~(uintptr_t)4095; }

/* Registered at load, from the constructor, while the process has a single thread: the kernel
 * then just sets a flag. Registered later, in a multithreaded process, it waits for an RCU
 * grace period (milliseconds), which every first patch would pay. */
void code_sync_init(void) {
  sync_core = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0 ? 1 : -1;
}

bool code_open(uintptr_t start, uintptr_t end) {
  /* The pages stay executable throughout: other threads keep running them. */
  return mprotect((void *)page_down(start), page_up(end) - page_down(start),
                  PROT_READ | PROT_WRITE | PROT_EXEC) == 0;
}

void code_close(uintptr_t start, uintptr_t end, int prot) {
  int saved = errno;
  mprotect((void *)page_down(start), page_up(end) - page_down(start), prot);
  errno = saved;
}

void code_store2(uintptr_t at, uint16_t value) {
  __asm__ volatile("movw %1, (%0)" : : "r"(at), "r"(value) : "memory");
}

void code_store8(uintptr_t at, uint64_t value) {
  __asm__ volatile("movq %1, (%0)" : : "r"(at), "r"(value) : "memory");
}

void code_sync_all_cores(void) {
  /* Without SYNC_CORE (kernels before 4.16) the mprotect back to read-only has already
   * sent a TLB-shootdown IPI to every CPU running this mm, and the return from that
   * interrupt serializes them; membarrier makes it explicit and independent of it. */
  if (sync_core > 0) syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
}
