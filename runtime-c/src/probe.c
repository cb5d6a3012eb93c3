/* Whether this process's seccomp filter lets the runtime write its own code, found out in a
 * throwaway child (KULP_REQ_PROBE_WRITE).
 *
 * The engine reads the filter with PTRACE_SECCOMP_GET_FILTER and evaluates it (WritePolicy), but
 * that needs CAP_SYS_ADMIN, which the node agent does not have: without it, every container
 * (they all run under a filter) would get the engine's stop-the-world writes, and functions
 * without padding could not be patched at all. A filter may answer a system call with an error,
 * or kill the caller. So the runtime does not make the calls itself: it clones a child that
 * shares nothing but a copy of the memory and the filter, makes there every call that writing
 * code needs, with every signal blocked, and reports with its exit status. A child that the
 * filter kills, or that does not end within PROBE_WAIT_MS, means "no". The child is created with
 * no exit signal, so that an application reaping its children (waitpid(-1) without __WALL, a
 * SIGCHLD handler) never sees it.
 *
 * The answer is kept for the number of filters the process has: a filter added later may forbid
 * more, so it is asked again then. */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif

#define PROBE_WAIT_MS 1000

/* The calls the runtime makes to write code, in the child; a failed one ends it with its step. */
static int probe_in_child(void) {
  uint64_t all = ~0ull;
  if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8)) return 10;
  void *page = (void *)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 11;
  if (syscall(SYS_mprotect, page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC)) return 12; /* code_open */
  if (syscall(SYS_mprotect, page, 4096, PROT_READ | PROT_EXEC)) return 13;              /* code_close */
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0) < 0) return 14;               /* code_sync_all_cores */
  syscall(SYS_prctl, PR_GET_MDWE, 0, 0, 0, 0);                                          /* change_plan */
  /* functions without padding: the near gate, the SIGTRAP handler, the threads' masks */
  if ((void *)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
    return 15;
  uint64_t old[4];
  if (syscall(SYS_rt_sigaction, SIGTRAP, NULL, old, 8)) return 16;
  long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[512];
    syscall(SYS_getdents64, fd, buf, sizeof buf);
    syscall(SYS_close, fd);
  }
  return 0;
}

static int filters_now(void) {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char *f = strstr(buf, "\nSeccomp_filters:");
  return f ? (int)strtol(f + 17, NULL, 10) : -1;
}

static int answered_for = -2; /* the filter count of the last answer */
static bool answer;

bool probe_self_write(char *why, size_t why_len) {
  int filters = filters_now();
  if (filters >= 0 && filters == answered_for) {
    if (!answer) snprintf(why, why_len, "its seccomp filter forbids what writing code needs (found out before)");
    return answer;
  }
  /* Like fork, without the atfork handlers (ours would wait for the lock this thread holds) and
   * without an exit signal. The child runs on a copy of this stack and only makes system calls. */
  long pid = syscall(SYS_clone, 0L, NULL, NULL, NULL, 0L);
  if (pid == 0) syscall(SYS_exit_group, probe_in_child());
  if (pid < 0) {
    snprintf(why, why_len, "cannot start a child to probe its seccomp filter: %s", strerror(errno));
    return false;
  }
  int status = 0;
  long got = 0;
  for (int waited = 0; got == 0 && waited < PROBE_WAIT_MS * 10; waited++) {
    got = syscall(SYS_wait4, pid, &status, WNOHANG | __WALL, NULL);
    if (got == 0) {
      struct timespec ts = {0, 100000};
      nanosleep(&ts, NULL);
    }
  }
  if (got == 0) { /* held by a seccomp supervisor, or stopped: not an answer */
    syscall(SYS_kill, pid, SIGKILL);
    syscall(SYS_wait4, pid, &status, __WALL, NULL);
    snprintf(why, why_len, "its seccomp filter held the probe of what writing code needs");
    answer = false;
  } else if (got < 0) {
    snprintf(why, why_len, "cannot wait for the probe of its seccomp filter: %s", strerror(errno));
    return false; /* not cached: nothing was learnt */
  } else if (WIFSIGNALED(status)) {
    snprintf(why, why_len, "its seccomp filter kills a process for what writing code needs (signal %d)",
             WTERMSIG(status));
    answer = false;
  } else if (WEXITSTATUS(status) != 0) {
    snprintf(why, why_len, "its seccomp filter refuses what writing code needs (step %d)", WEXITSTATUS(status));
    answer = false;
  } else {
    answer = true;
  }
  answered_for = filters;
  kulp_log(answer ? KULP_INFO : KULP_WARN, "seccomp probe: %s", answer ? "the runtime may write code itself" : why);
  return answer;
}
