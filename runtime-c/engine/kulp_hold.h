/*
 * The engine's hold loop (libkulp-hold.so): the one piece of the engine written in C, loaded by
 * io.kulp.engine.HoldLoop through JNA. Not part of the runtime, which never loads it.
 *
 * Why C: between a thread's stop and its release the engine must not pause, and a Java thread
 * pauses at every JVM safepoint (garbage collections stopped the engine's thread for 3 to 75 ms
 * in docs/benchmarks.md, "Letting a thread go before seizing the next"). A thread inside a native
 * call is not waited for by a safepoint, so the whole hold happens inside one call.
 */
#ifndef KULP_HOLD_H
#define KULP_HOLD_H

#include <stdint.h>

/* Which call failed (kulp_hold_result.failed_step). */
enum kulp_hold_step {
  KULP_HOLD_OK = 0,
  KULP_HOLD_SEIZE = 1,     /* PTRACE_SEIZE, other than the thread having gone */
  KULP_HOLD_INTERRUPT = 2, /* PTRACE_INTERRUPT */
  KULP_HOLD_WAIT = 3,      /* waitpid */
  KULP_HOLD_REGS = 4,      /* PTRACE_GETREGS */
  KULP_HOLD_DEADLINE = 5,  /* failed_tid had not stopped by the deadline (error is 0) */
  KULP_HOLD_MEMORY = 6,    /* no memory for the bookkeeping; nothing was seized */
};

/* What kulp_hold_check found; 40 bytes, the layout io.kulp.engine.HoldLoop reads. */
struct kulp_hold_result {
  int64_t found_pc;      /* where found_tid was */
  int64_t longest_ns;    /* the longest hold: from the last moment a thread was known to run to its release */
  int32_t found_tid;     /* the first thread seen at one of the addresses, or 0 */
  int32_t failed_tid;    /* the thread failed_step concerns, or 0 */
  int32_t failed_step;   /* enum kulp_hold_step */
  int32_t error;         /* errno of the failed call, 0 if none */
  int32_t refused;       /* how many tids were written to refused[]: their seize gave EPERM */
  int32_t stragglers;    /* threads still traced at the end: they never stopped (see below) */
};

/*
 * Looks at each of the count running threads tids[] of one process, as
 * io.kulp.engine.QuiescenceCheck describes: seizes and interrupts them one after the other, lets
 * go whatever has stopped before the next, reads each one's instruction pointer and lets it go at
 * once (with the signal it stopped for). A thread at addrs[i] whose byte before is an int3
 * (int3_before[i]) and that has a SIGTRAP for it counts as at the int3, not at addrs[i].
 *
 * A thread that is gone is skipped; one whose seize is refused with EPERM (exiting, or traced by
 * another) is written to refused[] (room for count) for the caller to tell which. On an error, or
 * at deadline_ns (CLOCK_MONOTONIC, as Java's System.nanoTime), every thread still held is let go
 * and the failure is described in *out. Every thread let go gets back the signal it stopped for.
 * A thread that never stopped (blocked in the kernel, in vfork() for example) cannot be detached
 * and still has the interrupt pending: it would stop for good when it leaves the kernel, so the
 * calling thread must end soon (the kernel then lets go what it traces and drops the interrupt);
 * out->stragglers counts them. Must be called from the thread that will be the tracer; makes no
 * allocation after the first seize.
 *
 * Returns 0 when every thread was looked at, -1 on a failure (*out says which).
 */
int kulp_hold_check(const int32_t *tids, int32_t count, const int64_t *addrs, const uint8_t *int3_before,
                    int32_t naddrs, int64_t deadline_ns, int32_t *refused, struct kulp_hold_result *out);

#endif
