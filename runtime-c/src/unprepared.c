/* Functions without padding: ordinary distribution builds (docs/design.md, "Functions without
 * padding").
 *
 * Such a function is redirected by a 5-byte `jmp rel32` written over its first instructions
 * (after endbr64), to a *near gate*: `jmp *target(%rip)` in a page the runtime maps within
 * ±2 GiB of the function, whose target word is data. Stacking and reverting to an older patch
 * are then one atomic store to that word, as for gated sites.
 *
 * Writing the 5 bytes while other threads run uses the kernel's text_poke_bp protocol:
 *   1. an int3 on the first byte (a 1-byte store is atomic); a barrier (membarrier SYNC_CORE).
 *      From now on a thread that reaches the entry traps, and our SIGTRAP handler sends it to
 *      the near gate, i.e. to the new function;
 *   2. the engine proves that no thread's instruction pointer is strictly inside the 5 bytes
 *      (a thread there had started the old instructions before the int3 and would otherwise
 *      resume in the middle of the jump). None can enter later: the packer proved with a decoder
 *      that nothing branches there, and the entry traps;
 *   3. the 4-byte tail, a barrier, then the first byte (e9), a barrier.
 * Going back to the original code runs the same steps with the original bytes (no check is
 * needed: while the jump is there no thread can be inside it). A thread that trapped just
 * before the first byte was restored re-executes it: the handler then sends it to the entry.
 *
 * The packer proved the 5 bytes safe; the runtime checks they are what the packer saw
 * (entry_crc), that a SIGTRAP can reach every thread that could call the function, and that
 * the process lets it write its code. Otherwise it refuses and writes nothing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};

uintptr_t unprepared_redirect_point(uintptr_t entry) {
  return memcmp((const void *)entry, endbr64, sizeof endbr64) ? entry : entry + sizeof endbr64;
}

/* --- near gates ----------------------------------------------------------------------------
 * A block is two pages: 512 stubs of 8 bytes, `ff 25 fa 0f 00 00` (jmp *0xffa(%rip)) and two
 * int3s, then a data page whose word i is stub i's target (stub + 6 + 0xffa = stub + 4096).
 * The code page is mapped PROT_READ|PROT_EXEC from the start and written once per stub, before
 * any entry jumps there. */
#define PAGE 4096u
#define STUB_LEN 8u
#define STUBS_PER_BLOCK (PAGE / STUB_LEN)
#define MAX_BLOCKS 64
static const uint8_t stub_code[STUB_LEN] = {0xff, 0x25, 0xfa, 0x0f, 0x00, 0x00, 0xcc, 0xcc};

static struct {
  uintptr_t code;
  unsigned used;
} blocks[MAX_BLOCKS];
static int n_blocks;

static bool reaches(uintptr_t from_next_insn, uintptr_t to) {
  int64_t d = (int64_t)to - (int64_t)from_next_insn;
  return d >= INT32_MIN && d <= INT32_MAX;
}

/* Two pages within rel32 reach of `near` (both ends of the block reach it), or 0. */
static uintptr_t map_block_near(uintptr_t near) {
  uintptr_t base = near & ~(uintptr_t)(PAGE - 1);
  for (uintptr_t d = 16 * PAGE; d < (1ul << 30); d *= 2) {
    for (int side = 0; side < 2; side++) {
      if (side == 0 && base < d + PAGE) continue;
      uintptr_t hint = side == 0 ? base - d : base + d;
      void *p = mmap((void *)hint, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                     -1, 0);
      if (p == MAP_FAILED) continue;
      uintptr_t at = (uintptr_t)p;
      /* A kernel older than 4.17 ignores MAP_FIXED_NOREPLACE and may place it elsewhere. */
      if (!reaches(near, at) || !reaches(near, at + 2 * PAGE)) {
        munmap(p, 2 * PAGE);
        continue;
      }
      /* The code page becomes executable and never writable-and-executable at once: mapped over
       * with PROT_READ|PROT_EXEC (allowed where mprotect to PROT_EXEC is not, e.g. under MDWE). */
      if (mmap(p, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
        munmap(p, 2 * PAGE);
        return 0;
      }
      return at;
    }
  }
  return 0;
}

/* A free stub within reach of the jump that ends at `from`; 0 when none can be had. */
static uintptr_t near_stub_alloc(uintptr_t from) {
  for (int i = 0; i < n_blocks; i++)
    if (blocks[i].used < STUBS_PER_BLOCK && reaches(from, blocks[i].code) && reaches(from, blocks[i].code + PAGE))
      return blocks[i].code + STUB_LEN * blocks[i].used++;
  if (n_blocks == MAX_BLOCKS) return 0;
  uintptr_t code = map_block_near(from);
  if (!code) return 0;
  blocks[n_blocks].code = code;
  blocks[n_blocks].used = 1;
  n_blocks++;
  return code;
}

/* --- the trap table and the SIGTRAP handler -------------------------------------------------
 * Append-only, read by the handler without a lock: an entry is complete before the count that
 * publishes it, and `to` is one aligned word. */
static struct {
  uintptr_t at; /* the int3's address: a redirect point */
  uintptr_t to; /* where a thread that hit it continues: the near gate's stub, or `at` itself
                   once the original first byte is back */
} traps[KULP_MAX_SITES];
static int n_traps;
static struct sigaction previous; /* the disposition we replaced; not ours traps go there */

/* Raw system calls: the handler must not call into libc, whose functions may be the very ones
 * being redirected (and armed) right now. */
static long raw_syscall4(long n, long a, long b, long c, long d) {
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
}

/* The kernel's struct sigaction for rt_sigaction, for SIG_DFL and SIG_IGN (no restorer needed). */
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void *restorer;
  uint64_t mask;
};

/* As if we were not there: the previous handler, or the default action. */
static void chain(int sig, siginfo_t *si, void *ctx) {
  /* sa_handler and sa_sigaction share their storage: SIG_DFL and SIG_IGN read the same in both. */
  bool custom = previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN;
  if (custom && (previous.sa_flags & SA_SIGINFO)) {
    previous.sa_sigaction(sig, si, ctx);
    return;
  }
  if (custom) {
    previous.sa_handler(sig);
    return;
  }
  /* Default or ignored: give the disposition back and let the signal happen again under it. An
   * int3 of someone else's is executed again (the kernel kills for it, as it would have); any
   * other SIGTRAP is sent again, and arrives once this handler returns. */
  struct kernel_sigaction k = {.handler = previous.sa_handler};
  raw_syscall4(SYS_rt_sigaction, SIGTRAP, (long)&k, 0, 8);
  if (si->si_code == SI_KERNEL) {
    ((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP] -= 1;
  } else {
    long pid = raw_syscall4(SYS_getpid, 0, 0, 0, 0), tid = raw_syscall4(SYS_gettid, 0, 0, 0, 0);
    raw_syscall4(SYS_tgkill, pid, tid, sig, 0);
  }
}

static void on_trap(int sig, siginfo_t *si, void *ctx) {
  if (si->si_code == SI_KERNEL) { /* an int3 */
    greg_t *rip = &((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP];
    uintptr_t at = (uintptr_t)*rip - 1;
    int n = __atomic_load_n(&n_traps, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
      if (traps[i].at == at) {
        *rip = (greg_t)__atomic_load_n(&traps[i].to, __ATOMIC_ACQUIRE);
        return;
      }
  }
  chain(sig, si, ctx);
}

static bool handler_installed(char *why, size_t why_len) {
  struct sigaction cur;
  if (sigaction(SIGTRAP, NULL, &cur)) {
    snprintf(why, why_len, "cannot read the SIGTRAP disposition: %s", strerror(errno));
    return false;
  }
  if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_trap) return true;
  /* First use, or the application installed its own handler since: ours goes in front of it. */
  struct sigaction ours = {.sa_sigaction = on_trap, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART};
  sigemptyset(&ours.sa_mask);
  previous = cur;
  if (sigaction(SIGTRAP, &ours, NULL)) {
    snprintf(why, why_len, "cannot install kulp's SIGTRAP handler: %s", strerror(errno));
    return false;
  }
  /* The helper blocks every signal, and it may run a redirected libc function while its entry
   * traps (during a commit): SIGTRAP is the one it takes, handled by us. */
  sigset_t trap;
  sigemptyset(&trap);
  sigaddset(&trap, SIGTRAP);
  pthread_sigmask(SIG_UNBLOCK, &trap, NULL);
  return true;
}

/* True if thread tid blocks SIGTRAP (or its status cannot be read: assume the worst). */
static bool thread_blocks_trap(int task_dir, const char *tid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "%s/status", tid);
  int fd = openat(task_dir, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT; /* gone meanwhile: it calls nothing any more */
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return true;
  buf[n] = '\0';
  const char *blk = strstr(buf, "\nSigBlk:");
  if (!blk) return true;
  unsigned long long mask = strtoull(blk + 8, NULL, 16);
  return (mask >> (SIGTRAP - 1)) & 1;
}

bool unprepared_traps_ready(char *why, size_t why_len) {
  /* A thread that blocks SIGTRAP and hits the int3 would be killed by the kernel, handler or
   * not (a synchronous trap cannot wait): such processes are refused, not risked. */
  int task = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (task < 0) {
    snprintf(why, why_len, "cannot read /proc/self/task (%s) to check the threads' signal masks", strerror(errno));
    return false;
  }
  DIR *d = fdopendir(task);
  if (!d) {
    close(task);
    snprintf(why, why_len, "cannot list /proc/self/task: %s", strerror(errno));
    return false;
  }
  long self = syscall(SYS_gettid), helper = __atomic_load_n(&kulp_abi.helper_tid, __ATOMIC_ACQUIRE);
  bool ok = true;
  for (struct dirent *e; ok && (e = readdir(d));) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    long tid = atol(e->d_name);
    /* The caller (the helper) unblocks SIGTRAP below; a helper that is not the caller (tests
     * serve requests from their own thread) sleeps in the kernel meanwhile. */
    if (tid == self || tid == helper) continue;
    if (thread_blocks_trap(dirfd(d), e->d_name)) {
      snprintf(why, why_len,
               "thread %s blocks SIGTRAP, and kulp redirects a function without padding through a breakpoint "
               "that such a thread could not take; patch a build with -fpatchable-function-entry=16,14 instead",
               e->d_name);
      ok = false;
    }
  }
  closedir(d);
  return ok && handler_installed(why, why_len);
}

/* --- sites ----------------------------------------------------------------------------------- */

int unprepared_site_init(struct site *s, const uint8_t original[JUMP5_LEN], char *why, size_t why_len) {
  s->jmp_at = unprepared_redirect_point(s->entry);
  s->unprepared = true;
  memcpy(s->original, original, JUMP5_LEN);
  s->stub = near_stub_alloc(s->jmp_at + JUMP5_LEN);
  if (!s->stub) {
    snprintf(why, why_len, "%s: no memory can be mapped within 2 GiB of it for the jump's gate", s->name);
    return KULP_E_CAPACITY;
  }
  s->slot = s->stub + PAGE;
  s->trap = n_traps;
  traps[s->trap].at = s->jmp_at;
  traps[s->trap].to = s->jmp_at;
  __atomic_store_n(&n_traps, s->trap + 1, __ATOMIC_RELEASE);
  return KULP_OK;
}

static void jump_bytes(const struct site *s, uint8_t out[JUMP5_LEN]) {
  int32_t rel = (int32_t)((int64_t)s->stub - (int64_t)(s->jmp_at + JUMP5_LEN));
  out[0] = 0xe9;
  memcpy(out + 1, &rel, 4);
}

enum entry_state unprepared_entry_state(const struct site *s) {
  const uint8_t *at = (const uint8_t *)s->jmp_at;
  uint8_t jump[JUMP5_LEN];
  jump_bytes(s, jump);
  if (!memcmp(at, s->original, JUMP5_LEN)) return ENTRY_PRISTINE;
  if (!memcmp(at, jump, JUMP5_LEN)) return ENTRY_JUMP;
  if (at[0] == 0xcc && !memcmp(at + 1, s->original + 1, JUMP5_LEN - 1)) return ENTRY_ARMED;
  return ENTRY_FOREIGN;
}

static void route(const struct site *s, uintptr_t to) { __atomic_store_n(&traps[s->trap].to, to, __ATOMIC_RELEASE); }

/* Stores bytes into code, keeping it executable; false (errno) when the pages cannot be opened. */
static bool write_code(const struct site *s, uintptr_t at, const uint8_t *bytes, size_t len) {
  if (!code_open(at, at + len)) return false;
  for (size_t i = 0; i < len; i++) ((volatile uint8_t *)at)[i] = bytes[i];
  code_close(at, at + len, s->prot);
  return true;
}

int unprepared_arm(struct site *s, uint64_t to, char *why, size_t why_len) {
  if (memcmp((const void *)s->stub, stub_code, STUB_LEN)) {
    /* A fresh stub: no entry jumps to it yet. */
    if (!code_open(s->stub, s->stub + STUB_LEN)) goto unwritable;
    memcpy((void *)s->stub, stub_code, STUB_LEN);
    code_close(s->stub, s->stub + STUB_LEN, PROT_READ | PROT_EXEC);
  }
  __atomic_store_n((uint64_t *)s->slot, to, __ATOMIC_RELEASE);
  route(s, s->stub);
  static const uint8_t int3 = 0xcc;
  if (!write_code(s, s->jmp_at, &int3, 1)) goto unwritable;
  return KULP_OK;
unwritable:
  snprintf(why, why_len, "%s: cannot make the code writable (%s)", s->name, strerror(errno));
  return KULP_E_WRITE;
}

void unprepared_disarm(struct site *s) {
  if (unprepared_entry_state(s) != ENTRY_ARMED) return;
  if (!write_code(s, s->jmp_at, s->original, 1)) {
    kulp_log(KULP_ERROR, "%s: cannot restore its first byte (%s); calls keep going to the patch", s->name,
             strerror(errno));
    return;
  }
  code_sync_all_cores();
  route(s, s->jmp_at);
}

void unprepared_commit(struct op *ops, uint32_t n_ops) {
  enum { NONE, ACTIVATE, RESTORE } what[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  bool restoring = false, any = false;
  for (uint32_t i = 0; i < n_ops; i++) {
    struct site *s = ops[i].site;
    enum entry_state e = s->unprepared ? unprepared_entry_state(s) : ENTRY_FOREIGN;
    what[i] = !s->unprepared                  ? NONE
              : ops[i].to && e == ENTRY_ARMED ? ACTIVATE
              : !ops[i].to && e == ENTRY_JUMP ? RESTORE
                                              : NONE;
    restoring = restoring || what[i] == RESTORE;
    any = any || what[i] != NONE;
  }
  if (!any) return;
  static const uint8_t int3 = 0xcc;
  /* 1. Back to the original: first the int3 over the jump's opcode. A thread fetches either the
   *    whole old jump or the int3, whose handler sends it to the gate, as the jump did. */
  for (uint32_t i = 0; i < n_ops && restoring; i++)
    if (what[i] == RESTORE && !write_code(ops[i].site, ops[i].site->jmp_at, &int3, 1)) what[i] = NONE;
  if (restoring) code_sync_all_cores();
  /* 2. The tails: no thread executes them now, every arrival traps on the first byte. */
  for (uint32_t i = 0; i < n_ops; i++) {
    struct site *s = ops[i].site;
    uint8_t jump[JUMP5_LEN];
    jump_bytes(s, jump);
    const uint8_t *tail = what[i] == ACTIVATE ? jump + 1 : s->original + 1;
    if (what[i] != NONE && !write_code(s, s->jmp_at + 1, tail, JUMP5_LEN - 1)) {
      /* Nothing of the tail was written: the site keeps its int3, which still redirects. */
      kulp_log(KULP_ERROR, "%s: code became unwritable during commit: %s", s->name, strerror(errno));
      what[i] = NONE;
    }
  }
  code_sync_all_cores();
  /* 3. The first bytes: each site becomes a whole jump or its whole original code. */
  for (uint32_t i = 0; i < n_ops; i++) {
    struct site *s = ops[i].site;
    uint8_t head = what[i] == ACTIVATE ? 0xe9 : s->original[0];
    if (what[i] != NONE && !write_code(s, s->jmp_at, &head, 1))
      kulp_log(KULP_ERROR, "%s: code became unwritable during commit: %s", s->name, strerror(errno));
  }
  code_sync_all_cores();
  /* 4. A thread that trapped before its site's first byte was restored runs it again. */
  for (uint32_t i = 0; i < n_ops; i++)
    if (what[i] == RESTORE) route(ops[i].site, ops[i].site->jmp_at);
}
