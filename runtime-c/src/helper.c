/* The helper thread: kulp's own thread in every process, so that the engine never
 * has to borrow one of the application's threads.
 *
 * It is created at load with every signal blocked (so no application signal is ever
 * delivered to it, and it is never inside an application signal handler), and it
 * sleeps in FUTEX_WAIT on mailbox.request.seq. The engine wakes it by bumping that
 * word and PTRACE_INTERRUPTing the thread: the kernel restarts the interrupted wait,
 * which then sees a changed word and returns. The helper holds no lock while it
 * sleeps, so whatever the engine does to it, no application thread can be blocked. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"

HIDDEN void service_after_fork(void);
HIDDEN void service_lock_for_fork(void);
HIDDEN void service_unlock_for_fork(void);

/* Enough for dlopen and the loader's needs, much less than the 8 MiB default. */
#define HELPER_STACK (256 * 1024)

static void *helper_main(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, KULP_HELPER_NAME, 0, 0, 0);
  __atomic_store_n(&kulp_abi.helper_tid, (int32_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
  __atomic_store_n(&kulp_abi.state, KULP_STATE_READY, __ATOMIC_RELEASE);
  uint32_t *word = &kulp_abi.mailbox.request.seq;
  for (;;) {
    uint32_t seen = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    kulp_service();
    /* Sleep only while the word still holds what we served; a request posted in
     * between makes the wait return at once (EAGAIN). An armed change that waits for its
     * COMMIT bounds the sleep: past its deadline the helper drops it (service_wait_ns). */
    int64_t left = service_wait_ns();
    struct timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, left < 0 ? NULL : &ts, NULL, 0);
  }
  return NULL;
}

static void start_helper(void) {
  sigset_t all, old;
  pthread_attr_t attr;
  pthread_t thread;
  sigfillset(&all);
  /* The new thread inherits this mask, so it is born with every signal blocked. */
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, HELPER_STACK);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&thread, &attr, helper_main, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc) {
    kulp_abi.state = KULP_STATE_NO_HELPER;
    kulp_log(KULP_ERROR, "cannot start the kulp helper thread: %s; this process cannot be live patched", strerror(rc));
  }
}

static void before_fork(void) { service_lock_for_fork(); }
static void after_fork_parent(void) { service_unlock_for_fork(); }
static void after_fork_child(void) {
  /* Threads do not survive fork; the child needs its own helper. */
  kulp_abi.state = KULP_STATE_LOADING;
  kulp_abi.helper_tid = 0;
  service_after_fork();
  start_helper();
}

__attribute__((constructor)) static void kulp_init(void) {
  abi_init();
  /* The first message: `ulp messages` then shows that the runtime was loaded, and when. */
  kulp_log(KULP_INFO, "libpulp.so (kulp runtime, ABI %u) loaded", KULP_ABI_VERSION);
  disable_from_environment();
  code_sync_init();
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
  start_helper();
}
