/*
 * The engine's hold loop: see kulp_hold.h for what and why, and io.kulp.engine.QuiescenceCheck
 * for the check it serves. Only system calls between a thread's stop and its release.
 */
#include "kulp_hold.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#define NO_STOP (-1)
/* Spin this long after the last interrupt before sleeping between polls: a thread stops within
 * microseconds once it has a CPU, and a sleeping tracer is woken late (the timer, then the thread
 * on its CPU must leave the kernel). */
#define SPIN_NS 500000
#define SLEEP_NS 20000
#define SIGINFO_BATCH 8

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int is_stopped(int status) { return (status & 0xff) == 0x7f; }

/* The signal a stopped tracee was about to receive (0 for ptrace's own stops): it gets it back. */
static int pending_signal(int status) {
  return is_stopped(status) && ((status >> 16) & 0xff) == 0 ? (status >> 8) & 0xff : 0;
}

struct holds {
  const int64_t *addrs;
  const uint8_t *int3_before;
  int naddrs;
  int32_t *pending;    /* seized and interrupted, not let go yet: the first left */
  int64_t *running_at; /* when each was last known to run: its stop came later */
  int left;
  struct kulp_hold_result *out;
};

static int at(const struct holds *h, int64_t pc) {
  for (int i = 0; i < h->naddrs; i++) {
    if (h->addrs[i] == pc) {
      return i;
    }
  }
  return -1;
}

static void fail(struct holds *h, int tid, int step, int error) {
  if (h->out->failed_step == KULP_HOLD_OK) {
    h->out->failed_tid = tid;
    h->out->failed_step = step;
    h->out->error = error;
  }
}

/* A tracee of this thread with a stop or an exit to report, left to collect: its tid, 0 if none,
 * -1 if the kernel would not say. *status is the stop's wait status, or NO_STOP for an exit. */
static int waitable(int *status) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL | __WNOTHREAD) != 0) {
    return -1;
  }
  /* A stop need not be collected before the tracee is let go: the detach replaces it. */
  *status = si.si_code == CLD_TRAPPED ? si.si_status << 8 | 0x7f : NO_STOP;
  return si.si_pid;
}

/* The wait status of tid, NO_STOP if it has nothing to report, 0 if it is gone; -2 on an error. */
static int poll_status(int tid) {
  for (;;) {
    int status;
    int r = waitpid(tid, &status, __WALL | WNOHANG);
    if (r == tid) {
      return status;
    }
    if (r == 0) {
      return NO_STOP;
    }
    if (errno == ECHILD) {
      return 0;
    }
    if (errno != EINTR) {
      return -2;
    }
  }
}

/* Whether a SIGTRAP waits in the stopped tracee's own queue, where an int3 puts it. */
static int sigtrap_queued(int tid) {
  siginfo_t si[SIGINFO_BATCH];
  for (uint64_t off = 0;; off += SIGINFO_BATCH) {
    struct __ptrace_peeksiginfo_args args = {.off = off, .flags = 0, .nr = SIGINFO_BATCH};
    long n = ptrace(PTRACE_PEEKSIGINFO, tid, &args, si);
    if (n <= 0) {
      return 0;
    }
    for (long i = 0; i < n; i++) {
      if (si[i].si_signo == SIGTRAP) {
        return 1;
      }
    }
    if (n < SIGINFO_BATCH) {
      return 0;
    }
  }
}

/* Detaches a stopped tracee. One killed meanwhile cannot be detached: it is collected (up to 50 ms,
 * a killed thread exits in microseconds), so that it does not stay a zombie that keeps its process
 * from being reaped. */
static void detach_quietly(int tid, int signal) {
  if (ptrace(PTRACE_DETACH, tid, 0, (void *)(long)signal) == 0) {
    return;
  }
  for (int64_t until = now_ns() + 50000000;;) {
    int status;
    int r = waitpid(tid, &status, __WALL | WNOHANG);
    if (r == tid) {
      if (is_stopped(status)) {
        ptrace(PTRACE_DETACH, tid, 0, (void *)(long)pending_signal(status));
      }
      return;
    }
    if ((r < 0 && errno != EINTR) || now_ns() - until > 0) {
      return;
    }
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
}

/* Lets go the threads still held when the loop ends early (an error, the deadline). Each must be
 * stopped to be detached, and one that stopped for a signal (the armed int3's SIGTRAP above all)
 * gets it back: detached without it, it would resume inside the int3's instruction. All are
 * interrupted first, then each is let go as it stops, for up to 200 ms in all. */
static void release_rest(struct holds *h) {
  for (int i = 0; i < h->left; i++) {
    ptrace(PTRACE_INTERRUPT, h->pending[i], 0, 0); /* one already stopped keeps its stop */
  }
  for (int64_t until = now_ns() + 200000000; h->left > 0 && now_ns() - until < 0;) {
    for (int i = 0; i < h->left;) {
      int tid = h->pending[i];
      int status = poll_status(tid);
      if (status == NO_STOP) {
        i++;
        continue;
      }
      if (status >= 0 && is_stopped(status)) {
        ptrace(PTRACE_DETACH, tid, 0, (void *)(long)pending_signal(status));
      } /* else exited, collected, or an error: nothing more to do for it */
      h->pending[i] = h->pending[--h->left];
    }
    if (h->left > 0) {
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, NULL);
    }
  }
  /* Any left never stopped in 200 ms (blocked in the kernel without end): counted as stragglers;
   * only the end of this thread lets them go (see kulp_hold.h). */
}

/* Reads a stopped thread's instruction pointer and lets it go with its signal; -1 if it is gone,
 * -2 on an error. One caught on an int3 just before a checked address counts as at the int3. */
static int64_t read_and_release(struct holds *h, int tid, int status) {
  int signal = pending_signal(status);
  struct user_regs_struct regs;
  int64_t pc;
  if (ptrace(PTRACE_GETREGS, tid, 0, &regs) != 0) {
    pc = errno == ESRCH ? -1 : -2;
    if (pc == -2) {
      fail(h, tid, KULP_HOLD_REGS, errno);
    }
  } else {
    pc = (int64_t)regs.rip;
    int i = at(h, pc);
    /* Stopped for the SIGTRAP it raised, or by our interrupt on its way out of the kernel with that
     * SIGTRAP still queued. */
    if (i >= 0 && h->int3_before[i] && (signal == SIGTRAP || sigtrap_queued(tid))) {
      pc--;
    }
  }
  detach_quietly(tid, signal);
  return pc;
}

/* Lets go the threads that have stopped, as one waitid finds them; 1 if any was, 0 if none, -1
 * on an error. Only when a tracee outside the check reports first are they polled one by one. */
static int release_stopped(struct holds *h) {
  int64_t peeked = now_ns();
  int reported = NO_STOP;
  int ready = waitable(&reported);
  if (ready == 0) {
    for (int i = 0; i < h->left; i++) {
      h->running_at[i] = peeked; /* none had stopped by then */
    }
    return 0;
  }
  int ours = -1;
  for (int i = 0; i < h->left; i++) {
    if (h->pending[i] == ready) {
      ours = i;
    }
  }
  int from = ours >= 0 ? ours : 0;
  int to = ours >= 0 ? ours + 1 : h->left;
  int before = h->left;
  for (int i = from; i < to;) {
    int tid = h->pending[i];
    int64_t polled = now_ns();
    int status = i == ours ? reported : NO_STOP;
    if (status == NO_STOP) {
      status = poll_status(tid);
    }
    if (status == -2) {
      fail(h, tid, KULP_HOLD_WAIT, errno);
      return -1;
    }
    if (status == NO_STOP) {
      h->running_at[i++] = polled;
      continue;
    }
    int64_t since = h->running_at[i];
    h->left--;
    to--;
    h->pending[i] = h->pending[h->left];
    h->running_at[i] = h->running_at[h->left];
    if (!is_stopped(status)) {
      continue; /* exited: never held */
    }
    int64_t pc = read_and_release(h, tid, status);
    int64_t held = now_ns() - since;
    if (held > h->out->longest_ns) {
      h->out->longest_ns = held;
    }
    if (pc == -2) {
      return -1;
    }
    if (pc >= 0 && h->out->found_tid == 0 && at(h, pc) >= 0) {
      h->out->found_tid = tid;
      h->out->found_pc = pc;
    }
  }
  return h->left < before;
}

static int seize_and_interrupt(struct holds *h, int tid, int32_t *refused) {
  if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
    if (errno == ESRCH) {
      return 0; /* gone */
    }
    if (errno == EPERM) {
      refused[h->out->refused++] = tid; /* exiting, or traced by another: the caller tells */
      return 0;
    }
    fail(h, tid, KULP_HOLD_SEIZE, errno);
    return -1;
  }
  h->pending[h->left] = tid;
  h->running_at[h->left++] = now_ns();
  if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
    if (errno != ESRCH) {
      fail(h, tid, KULP_HOLD_INTERRUPT, errno);
      return -1;
    }
    h->left--; /* gone: never held */
  }
  return 0;
}

int kulp_hold_check(const int32_t *tids, int32_t count, const int64_t *addrs, const uint8_t *int3_before,
                    int32_t naddrs, int64_t deadline_ns, int32_t *refused, struct kulp_hold_result *out) {
  memset(out, 0, sizeof *out);
  struct holds h = {.addrs = addrs, .int3_before = int3_before, .naddrs = naddrs, .out = out};
  h.pending = malloc(sizeof *h.pending * (count > 0 ? count : 1));
  h.running_at = malloc(sizeof *h.running_at * (count > 0 ? count : 1));
  if (h.pending == NULL || h.running_at == NULL) {
    free(h.pending);
    free(h.running_at);
    out->failed_step = KULP_HOLD_MEMORY;
    out->error = ENOMEM;
    return -1;
  }
  int r = 0;
  for (int i = 0; i < count && r >= 0; i++) {
    r = seize_and_interrupt(&h, tids[i], refused);
    while (r >= 0 && (r = release_stopped(&h)) > 0) {
      /* a burst: each goes before the next seize */
    }
  }
  int64_t spin_until = now_ns() + SPIN_NS;
  while (r >= 0 && h.left > 0) {
    r = release_stopped(&h);
    if (r != 0) {
      continue; /* others may have stopped meanwhile, or an error ends the loop */
    }
    int64_t now = now_ns();
    if (now - deadline_ns > 0) {
      fail(&h, h.pending[0], KULP_HOLD_DEADLINE, 0);
      r = -1;
    } else if (now - spin_until > 0) {
      struct timespec sleep = {0, SLEEP_NS};
      nanosleep(&sleep, NULL);
    } else {
      __builtin_ia32_pause();
    }
  }
  release_rest(&h);
  out->stragglers = h.left;
  free(h.pending);
  free(h.running_at);
  return r < 0 ? -1 : 0;
}
