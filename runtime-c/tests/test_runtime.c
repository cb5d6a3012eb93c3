/* C tests of the runtime: each test runs in its own forked process, drives
 * libpulp.so's entry point directly (tests/harness.c plays the engine), and checks
 * the fixture library's behaviour and the state the engine would read.
 * Output is TAP; RuntimeCTestsIT (node-agent/cli) turns each line into a JUnit test.
 *
 * usage: test_runtime PATCHES_DIR [TEST_NAME] */
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <zlib.h>

#include "harness.h"
#include "libkfix.h"
#include "libkplain.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

static const char *dir;
#define LIB "libkfix.so.1"

static uint8_t *code_of(const char *symbol) {
  void *lib = dlopen(LIB, RTLD_NOLOAD | RTLD_LAZY);
  return lib ? dlsym(lib, symbol) : NULL;
}

static bool contains(const char *haystack, const char *needle) { return strstr(haystack, needle) != NULL; }

/* --- apply, stack, revert ---------------------------------------------------- */

static void appliesAPatchAndTheFunctionReturnsTheNewValue(void) {
  check(kfix_value() == 1, "original value is 1");
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_OK, "apply: %s", r.message);
  check(kfix_value() == 2, "patched value is 2, got %d", kfix_value());
  check(r.checks == 1, "the pristine 90 90 entry needed one quiescence check, got %u", r.checks);
  check(r.writes == 0, "the runtime wrote the code itself");
  check(kulp_abi.n_patches == 1 && kulp_abi.n_funcs == 1, "one patch, one function recorded");
  check(contains(kulp_abi.patches[0].labels, "CVE-2026-0001"), "labels recorded: %s", kulp_abi.patches[0].labels);
  check(kulp_abi.funcs[0].active == 1 && !strcmp(kulp_abi.funcs[0].old_name, "kfix_value"), "function record active");
  check(kulp_abi.generation % 2 == 0 && kulp_abi.generation > 0, "generation is even after a change");
  uint8_t *entry = code_of("kfix_value");
  check(entry[0] == 0xeb, "entry is now a short jump, got %02x", entry[0]);
}

static void stacksPatchesAndTheNewestWins(void) {
  check(apply(dir, "value_v2").status == KULP_OK, "v2");
  check(apply(dir, "value_v3").status == KULP_OK, "v3");
  check(apply(dir, "value_v4").status == KULP_OK, "v4");
  check(kfix_value() == 4, "newest wins: got %d", kfix_value());
  int active = 0;
  for (uint32_t i = 0; i < kulp_abi.n_funcs; i++) active += (int)kulp_abi.funcs[i].active;
  check(active == 1 && kulp_abi.funcs[2].active, "only v4's record is active");
}

static void revertsTheMiddlePatchAndKeepsTheNewestActive(void) {
  apply(dir, "value_v2");
  apply(dir, "value_v3");
  apply(dir, "value_v4");
  struct result r = revert(dir, "value_v3");
  check(r.status == KULP_OK, "revert v3: %s", r.message);
  check(kfix_value() == 4, "v4 still active after removing v3: %d", kfix_value());
  check(revert(dir, "value_v4").status == KULP_OK && kfix_value() == 2, "v2 takes over when v4 goes: %d", kfix_value());
  check(revert(dir, "value_v2").status == KULP_OK && kfix_value() == 1, "original after the last revert: %d", kfix_value());
  uint8_t *entry = code_of("kfix_value");
  check(entry[0] == 0x66 && entry[1] == 0x90, "entry is a single 2-byte NOP again: %02x %02x", entry[0], entry[1]);
  check(kulp_abi.n_patches == 0 && kulp_abi.n_funcs == 0, "table empty");
}

static void reappliesWithoutAnotherQuiescenceCheck(void) {
  check(apply(dir, "value_v2").checks == 1, "first activation checks the entry");
  revert(dir, "value_v2");
  struct result r = apply(dir, "value_v3");
  check(r.status == KULP_OK && r.checks == 0, "a verified entry needs no new check (checks=%u)", r.checks);
  check(kfix_value() == 3, "v3 active: %d", kfix_value());
}

static void anAbortedCheckIsAskedForAgainOnTheNextApply(void) {
  struct result aborted = apply_then_abort(dir, "value_v2");
  check(aborted.checks == 1 && aborted.status == KULP_OK, "first attempt asked for a check, then aborted");
  check(kfix_value() == 1 && kulp_abi.n_patches == 0, "nothing applied by the aborted attempt");
  uint8_t *entry = code_of("kfix_value");
  check(entry[0] == 0x66 && entry[1] == 0x90, "the NOPs stay merged (harmless)");
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_OK && r.checks == 1, "the entry was never proven free: checked again (checks=%u)", r.checks);
  check(kfix_value() == 2, "applied: %d", kfix_value());
}

static void revertAllRevertsEveryPatchOfTheLibrary(void) {
  apply(dir, "value_v2");
  apply(dir, "value_v3");
  apply(dir, "counter");
  struct result r = revert_all(LIB);
  check(r.status == KULP_OK && contains(r.message, "reverted 3"), "revert-all: %s", r.message);
  check(kfix_value() == 1 && kfix_counter() == 1, "originals back");
  check(kulp_abi.n_patches == 0, "no patches left");
  check(revert_all(LIB).status == KULP_OK, "revert-all with nothing applied is not an error");
}

static void revertAllThenApplyIsOneChange(void) {
  apply(dir, "value_v2");
  apply(dir, "value_v3");
  struct result r = revert_all_apply(LIB, dir, "value_v4");
  check(r.status == KULP_OK, "revert-all + apply: %s", r.message);
  check(kfix_value() == 4, "v4 active: %d", kfix_value());
  check(kulp_abi.n_patches == 1 && !strcmp(kulp_abi.patches[0].library, LIB), "only the new patch remains");
}

/* --- refusals ------------------------------------------------------------------ */

static void refusesAPatchForAnotherBuildOfTheLibrary(void) {
  struct result r = apply(dir, "value_other");
  check(r.status == KULP_E_BUILDID_MISMATCH, "build-id mismatch: %d %s", r.status, r.message);
  check(contains(r.message, "the patch wants") && contains(r.message, "the process has"), "both ids shown: %s", r.message);
  check(kfix_value() == 1 && kulp_abi.n_patches == 0, "nothing applied");
}

static void refusesEveryChangeWhileLivePatchingIsDisabled(void) {
  apply(dir, "value_v2");
  kulp_abi.disabled = KULP_DISABLED_BY_ULP; /* what `ulp set_patchable disable` writes */
  struct result r = apply(dir, "value_v3");
  check(r.status == KULP_E_DISABLED && contains(r.message, "ulp set_patchable disable"), "apply refused: %d %s",
        r.status, r.message);
  check(revert_all(LIB).status == KULP_E_DISABLED, "revert-all refused too");
  check(kfix_value() == 2 && kulp_abi.n_patches == 1, "nothing changed");
  kulp_abi.disabled = KULP_ENABLED;
  check(apply(dir, "value_v3").status == KULP_OK && kfix_value() == 3, "enabled again: applies");
}

static uint8_t *blob_with_string_replaced(const char *name, const char *from, const char *to, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.so", dir, name);
  struct section s = read_section(path, ".ulp");
  for (size_t i = 0; s.data && i + strlen(from) <= s.len; i++)
    if (!memcmp(s.data + i, from, strlen(from))) memcpy(s.data + i, to, strlen(to));
  memset(s.data + 12, 0, 4);
  uint32_t crc = crc32_ieee(s.data, s.len);
  memcpy(s.data + 12, &crc, 4);
  *len = s.len;
  return s.data;
}

static void refusesAPatchWhoseNewFunctionIsMissing(void) {
  size_t len;
  uint8_t *blob = blob_with_string_replaced("value_v2", "kfix_value_v2", "kfix_value_vX", &len);
  char path[4096];
  snprintf(path, sizeof path, "%s/value_v2.so", dir);
  char *real = realpath(path, NULL);
  struct result r = apply_blob(real, blob, len);
  check(r.status == KULP_E_NEW_SYMBOL && contains(r.message, "kfix_value_vX"), "missing function named: %s", r.message);
  check(kfix_value() == 1 && kulp_abi.n_patches == 0, "nothing applied");
  uint8_t *entry = code_of("kfix_value");
  check(entry[0] == 0x90 && entry[1] == 0x90, "entry untouched");
}

static void reportsALibraryThatIsNotLoaded(void) {
  size_t len;
  uint8_t *blob = blob_with_string_replaced("value_v2", "libkfix.so.1", "libnope.so.1", &len);
  char path[4096];
  snprintf(path, sizeof path, "%s/value_v2.so", dir);
  struct result r = apply_blob(realpath(path, NULL), blob, len);
  check(r.status == KULP_E_LIB_NOT_LOADED && contains(r.message, "libnope.so.1"), "not loaded: %s", r.message);
}

static void refusesAFunctionWhosePaddingIsNotIntact(void) {
  uint8_t *entry = code_of("kfix_work");
  mprotect((void *)((uintptr_t)(entry - 14) & ~4095ul), 8192, PROT_READ | PROT_WRITE | PROT_EXEC);
  entry[-3] = 0x55; /* someone else's code in the padding */
  struct result r = apply(dir, "work");
  check(r.status == KULP_E_PADDING && contains(r.message, "kfix_work"), "padding refused: %s", r.message);
  check(kfix_work(1) == 3 && kulp_abi.n_patches == 0, "nothing applied");
}

static void refusesToApplyTheSamePatchTwice(void) {
  apply(dir, "value_v2");
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_E_ALREADY_APPLIED, "already applied: %s", r.message);
  check(kulp_abi.n_patches == 1, "still one patch");
}

static void refusesToRevertAPatchThatIsNotApplied(void) {
  struct result r = revert(dir, "value_v2");
  check(r.status == KULP_E_NOT_APPLIED, "not applied: %s", r.message);
}

static void refusesADamagedContainer(void) {
  struct result r = apply(dir, "damaged_crc");
  check(r.status == KULP_E_BAD_METADATA && contains(r.message, "CRC"), "damaged: %s", r.message);
  check(kfix_value() == 1, "nothing applied");
}

static void makesNoChangeWhenTheDeadlineHasPassed(void) {
  struct result r = request_with_deadline(dir, "value_v2", 1);
  check(r.status == KULP_E_TIMEOUT, "timeout: %d %s", r.status, r.message);
  check(kfix_value() == 1 && kulp_abi.n_patches == 0, "nothing applied");
  check(apply(dir, "value_v2").status == KULP_OK && kfix_value() == 2, "a later request applies it");
}

/* --- kinds of targets ---------------------------------------------------------- */

static void replacesAStaticFunctionByOffset(void) {
  check(kfix_call_hidden(5) == 60, "original hidden: (5+1)*10");
  check(apply(dir, "hidden").status == KULP_OK, "apply hidden");
  check(kfix_call_hidden(5) == 70, "patched hidden: (5+2)*10, got %d", kfix_call_hidden(5));
}

static void reachesAStaticVariableOfTheLibrary(void) {
  kfix_counter();
  kfix_counter();
  check(apply(dir, "counter").status == KULP_OK, "apply counter");
  int after = kfix_counter();
  check(after == 102, "the patch adds 100 to the library's own counter (2): got %d", after);
}

/* --- libpulp's descriptions ------------------------------------------------------ */

static void reachesStaticPointersAtTheOffsetsTheDescriptionGives(void) {
  int counter = kfix_counter();
  int tls = kfix_tls();
  struct result r = apply(dir, "libkfix_livepatch1");
  check(r.status == KULP_OK, "apply: %s", r.message);
  check(kfix_counter() == counter + 1000, "the static pointer reaches the library's counter");
  check(kfix_tls() == tls + 1000, "the static kulp_tls_ref reaches this thread's tls_hits");
}

static void callsAStaticFunctionOfTheLibraryThroughAReference(void) {
  check(apply(dir, "fnref").status == KULP_OK, "apply fnref");
  check(kfix_value() == 42, "kfix_hidden(41) through the pointer: got %d", kfix_value());
}

static void fillsTheReferencesOfAPatchWithoutFunctions(void) {
  struct result r = apply(dir, "refs_only");
  check(r.status == KULP_OK, "apply: %s", r.message);
  char path[4096];
  snprintf(path, sizeof path, "%s/refs_only.so", dir);
  void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  int **seen = h ? dlsym(h, "kfix_counter_seen") : NULL;
  int now = kfix_counter();
  check(seen && *seen && **seen == now, "the pointer holds the library's counter (%d)", now);
  check(kulp_abi.n_patches == 1 && kulp_abi.n_funcs == 0, "recorded as a patch of no function");
}

/* The first reference of libkfix_livepatch1's .ulp, pointed at patch_offset. */
static struct result apply_with_patch_offset(uint32_t patch_offset) {
  char path[4096];
  snprintf(path, sizeof path, "%s/libkfix_livepatch1.so", dir);
  struct section s = read_section(path, ".ulp");
  uint32_t refs;
  memcpy(&refs, s.data + 196, 4);
  memcpy(s.data + refs + 20, &patch_offset, 4);
  memset(s.data + 12, 0, 4);
  uint32_t crc = crc32_ieee(s.data, s.len);
  memcpy(s.data + 12, &crc, 4);
  return apply_blob(realpath(path, NULL), s.data, s.len);
}

static void refusesAPatchOffsetOutsideTheContainersWritableData(void) {
  int counter = kfix_counter();
  struct result header = apply_with_patch_offset(0x10);
  check(header.status == KULP_E_NEW_SYMBOL && contains(header.message, "not found in the data"),
        "the ELF header is no variable: %s", header.message);
  char path[4096];
  snprintf(path, sizeof path, "%s/libkfix_livepatch1.so", dir);
  struct link_map *lm = NULL;
  void *h = dlopen(path, RTLD_NOW);
  check(h && !dlinfo(h, RTLD_DI_LINKMAP, &lm), "container loaded");
  /* .dynamic is writable in the file, but read-only after relocation (PT_GNU_RELRO). */
  struct result relro = apply_with_patch_offset((uint32_t)((uintptr_t)lm->l_ld - lm->l_addr));
  check(relro.status == KULP_E_NEW_SYMBOL, "RELRO data is refused: %s", relro.message);
  check(kfix_counter() == counter + 1 && kulp_abi.n_patches == 0, "nothing applied");
}

static void *tls_in_new_thread(void *arg) {
  (void)arg;
  return (void *)(intptr_t)kfix_tls();
}

static void reachesATlsVariableOfTheLibrary(void) {
  check(kfix_tls() == 1, "original tls");
  check(apply(dir, "tls").status == KULP_OK, "apply tls");
  check(kfix_tls() == 1001, "this thread's copy: 1 + 1000");
  pthread_t t;
  void *other;
  pthread_create(&t, NULL, tls_in_new_thread, NULL);
  pthread_join(t, &other);
  check((intptr_t)other == 1000, "another thread's own copy: 0 + 1000, got %ld", (long)(intptr_t)other);
}

static void patchesAFunctionThatStartsWithEndbr64(void) {
  uint8_t *entry = code_of("kfix_endbr");
  check(!memcmp(entry, "\xf3\x0f\x1e\xfa", 4), "fixture starts with endbr64");
  check(apply(dir, "endbr").status == KULP_OK && kfix_endbr() == 200, "patched: %d", kfix_endbr());
  check(!memcmp(entry, "\xf3\x0f\x1e\xfa", 4) && entry[4] == 0xeb, "endbr64 kept, jump after it");
  check(revert(dir, "endbr").status == KULP_OK && kfix_endbr() == 100, "reverted: %d", kfix_endbr());
}

static void patchesFunctionsWithAwkwardPadding(void) {
  uint8_t *page = code_of("kfix_pagecross");
  check(((uintptr_t)page - 14) / 4096 != ((uintptr_t)page - 1) / 4096, "fixture padding crosses a page");
  struct result r = apply(dir, "layout");
  check(r.status == KULP_OK, "apply: %s", r.message);
  check(kfix_pagecross() == 70 && kfix_unaligned() == 90, "both patched: %d %d", kfix_pagecross(), kfix_unaligned());
  check(apply(dir, "multi").status == KULP_OK && kfix_pagecross() == 75, "stacked over the page-crossing pad");
  check(revert(dir, "layout").status == KULP_OK && kfix_unaligned() == 9 && kfix_pagecross() == 75,
        "unaligned (gated) reverted, page-crossing keeps the newer patch");
}

static void appliesAndRevertsAMultiFunctionPatchAsOneUnit(void) {
  check(apply(dir, "multi").status == KULP_OK, "apply multi");
  check(kfix_value() == 50 && kfix_endbr() == 250 && kfix_pagecross() == 75, "all three patched");
  check(kulp_abi.n_funcs == 3, "three function records");
  check(revert(dir, "multi").status == KULP_OK, "revert multi");
  check(kfix_value() == 1 && kfix_endbr() == 100 && kfix_pagecross() == 7, "all three original");
}

/* --- process-level behaviour ------------------------------------------------- */

static void appliesInAProcessThatForbidsWritableCode(void) {
  if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L)) {
    check(false, "kernel without PR_SET_MDWE: cannot run this test");
    return;
  }
  void *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(probe == MAP_FAILED, "W+X mappings are refused in this process");
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_OK && r.writes > 0, "applied through engine writes (%u): %s", r.writes, r.message);
  check(kfix_value() == 2, "patched: %d", kfix_value());
  r = apply(dir, "value_v3");
  check(r.status == KULP_OK && r.writes == 0 && kfix_value() == 3, "stacking is a data-only change (writes=%u)", r.writes);
  r = revert(dir, "value_v3");
  check(r.status == KULP_OK && r.writes == 0 && kfix_value() == 2, "revert is data-only too");
  check(revert_all(LIB).status == KULP_OK && kfix_value() == 1, "revert-all");
}

static void aPadTornByAnEngineThatDiedIsWrittenWholeNextTime(void) {
  harness_flags = 0; /* the engine writes the code */
  for (uint32_t torn = 1; torn < 14; torn += 4) {
    struct result r = apply_with_torn_write(dir, "value_v2", torn);
    check(r.status == KULP_OK && r.writes >= 2, "the dying engine wrote %u bytes of the pad", torn);
    check(kfix_value() == 1 && kulp_abi.n_patches == 0, "nothing applied by it");
  }
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_OK && r.writes >= 2, "the next engine applied, writing the pad again (writes=%u): %s",
        r.writes, r.message);
  check(kfix_value() == 2, "the patched function runs: %d", kfix_value());
  check(revert_all(LIB).status == KULP_OK && kfix_value() == 1, "and reverts");
}

static void waitForHelper(void) {
  for (int i = 0; i < 2000 && __atomic_load_n(&kulp_abi.state, __ATOMIC_ACQUIRE) != KULP_STATE_READY; i++) usleep(500);
}

static void theHelperThreadServesRequests(void) {
  waitForHelper(); /* each test runs in a fresh fork, whose helper is just starting */
  check(kulp_abi.state == KULP_STATE_READY && kulp_abi.helper_tid > 0, "helper ready");
  char path[64], name[32] = "";
  snprintf(path, sizeof path, "/proc/self/task/%d/comm", kulp_abi.helper_tid);
  FILE *f = fopen(path, "r");
  if (f) {
    if (!fgets(name, sizeof name, f)) name[0] = '\0';
    fclose(f);
  }
  check(!strncmp(name, KULP_HELPER_NAME, strlen(KULP_HELPER_NAME)), "helper named %s, got %s", KULP_HELPER_NAME, name);
  struct result r = apply_via_helper(dir, "value_v2");
  check(r.status == KULP_OK && kfix_value() == 2, "helper applied: %s", r.message);
}

static void neverWritesToStdoutOrStderr(void) {
  int fds[2];
  pipe(fds);
  fflush(stdout);
  int out = dup(1), err = dup(2);
  dup2(fds[1], 1);
  dup2(fds[1], 2);
  apply(dir, "value_v2");
  apply(dir, "damaged_crc");
  revert(dir, "value_v3");
  revert_all(LIB);
  fflush(stdout);
  dup2(out, 1);
  dup2(err, 2);
  close(fds[1]);
  char buf[16];
  check(read(fds[0], buf, sizeof buf) == 0, "nothing written to stdout or stderr");
  uint64_t head = kulp_abi.message_head;
  check(head >= 4, "messages went to the ring (%lu)", (unsigned long)head);
  const struct kulp_message *last = &kulp_abi.ring[(head - 1) % KULP_RING_SIZE];
  check(last->seq == head && contains(last->text, "reverted"), "newest message: %s", last->text);
}

static void aForkedChildKeepsThePatchesAndGetsItsOwnHelper(void) {
  apply(dir, "value_v2");
  int parent_helper = kulp_abi.helper_tid;
  pid_t child = fork();
  if (child == 0) {
    waitForHelper();
    bool ok = kfix_value() == 2 && kulp_abi.helper_tid != parent_helper && kulp_abi.state == KULP_STATE_READY;
    ok = ok && apply_via_helper(dir, "value_v3").status == KULP_OK && kfix_value() == 3;
    _exit(ok ? 0 : 1);
  }
  int status;
  waitpid(child, &status, 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child patched by its own helper");
  check(kfix_value() == 2 && kulp_abi.n_patches == 1, "parent unaffected by the child's patch");
}

/* A function of a loaded library, by its name. */
static uint8_t *plain_code(const char *lib, const char *symbol) {
  void *h = dlopen(lib, RTLD_NOLOAD | RTLD_LAZY);
  return h ? dlsym(h, symbol) : NULL;
}

/* --- the consistency check (KULP_REQ_CONSISTENT, service.c) --------------------------- */

/* gzread of the system's libz, one byte from a pipe: 1, or -42 with zlib_gzread_consistent. */
static int gzread_one(void) {
  int p[2];
  if (pipe(p) || write(p[1], "x", 1) != 1) return -100;
  close(p[1]);
  gzFile g = gzdopen(p[0], "r");
  char c;
  int n = g ? gzread(g, &c, 1) : -101;
  if (g) gzclose(g);
  return n;
}

/* A symbol of patch container `name`, if that container is loaded. */
static void *patch_symbol(const char *name, const char *symbol) {
  char path[PATH_MAX], *real;
  snprintf(path, sizeof path, "%s/%s.so", dir, name);
  if (!(real = realpath(path, NULL))) return NULL;
  void *h = dlopen(real, RTLD_NOLOAD | RTLD_LAZY);
  free(real);
  return h ? dlsym(h, symbol) : NULL;
}

static void aConsistentPatchIsPlannedFirstAndMadeOnlyAtCommit(void) {
  harness_flags = KULP_REQ_SELF_WRITE | KULP_REQ_CONSISTENT;
  uint8_t *entry = plain_code("libz.so.1", "gzread"), before[5];
  memcpy(before, entry, 5);
  struct result r = apply(dir, "unprepared/zlib_gzread_consistent");
  check(r.status == KULP_OK, "apply: %s", r.message);
  check(r.planned == 1 && r.planned_code[0] == (uint64_t)(uintptr_t)entry,
        "PLANNED named the one function it stops calling, gzread itself: %u %#lx", r.planned,
        (unsigned long)r.planned_code[0]);
  check(gzread_one() == -42, "applied at COMMIT: %d", gzread_one());
  void *patched = patch_symbol("unprepared/zlib_gzread_consistent", "zlib_gzread_v2");
  r = revert(dir, "unprepared/zlib_gzread_consistent");
  check(r.status == KULP_OK, "revert: %s", r.message);
  check(r.planned == 1 && r.planned_code[0] == (uint64_t)(uintptr_t)patched,
        "reverting stops calling the patch's function: %#lx", (unsigned long)r.planned_code[0]);
  check(gzread_one() == 1 && !memcmp(entry, before, 5), "the original gzread, its bytes back");
}

static void aConsistentPatchIsRefusedByAnEngineThatDoesNotMakeTheCheck(void) {
  harness_flags = KULP_REQ_SELF_WRITE;
  struct result r = apply(dir, "unprepared/zlib_gzread_consistent");
  check(r.status == KULP_E_CONSISTENT, "refused: %d %s", r.status, r.message);
  check(kulp_abi.n_patches == 0 && gzread_one() == 1, "nothing applied");
  check(!patch_symbol("unprepared/zlib_gzread_consistent", "zlib_gzread_v2"), "the container was not even loaded");
  harness_flags = KULP_REQ_SELF_WRITE | KULP_REQ_CONSISTENT;
  check(apply(dir, "unprepared/zlib_gzread_consistent").status == KULP_OK, "applied with the check");
  harness_flags = KULP_REQ_SELF_WRITE;
  r = revert(dir, "unprepared/zlib_gzread_consistent");
  check(r.status == KULP_E_CONSISTENT && strstr(r.message, "to be reverted too"), "revert refused too: %s",
        r.message);
  check(kulp_abi.n_patches == 1 && gzread_one() == -42, "still applied");
  harness_flags = KULP_REQ_SELF_WRITE | KULP_REQ_CONSISTENT;
  check(revert(dir, "unprepared/zlib_gzread_consistent").status == KULP_OK && gzread_one() == 1, "reverted with it");
}

static void anAbortedPlannedChangeWroteNothing(void) {
  harness_flags = KULP_REQ_SELF_WRITE | KULP_REQ_CONSISTENT;
  uint8_t *entry = plain_code("libz.so.1", "gzread"), before[16];
  memcpy(before, entry, sizeof before);
  struct result r = apply_planned_then_abort(dir, "unprepared/zlib_gzread_consistent");
  check(r.status == KULP_OK && r.planned == 1, "planned, then aborted: %d %u %s", r.status, r.planned, r.message);
  check(!memcmp(entry, before, sizeof before) && gzread_one() == 1, "not a byte of gzread changed");
  check(kulp_abi.n_patches == 0, "nothing applied");
  check(apply(dir, "unprepared/zlib_gzread_consistent").status == KULP_OK && gzread_one() == -42,
        "and it applies later");
}

/* --- functions without padding (unprepared.c) ----------------------------------- */

static void redirectsFunctionsWithoutPaddingAndGivesTheirBytesBack(void) {
  uint8_t *value = plain_code("libkplain.so.1", "kplain_value"), *cet = plain_code("libkplain.so.1", "kplain_cet");
  uint8_t value_before[8], cet_before[12];
  memcpy(value_before, value, sizeof value_before);
  memcpy(cet_before, cet, sizeof cet_before);
  struct result r = apply(dir, "unprepared/plain");
  check(r.status == KULP_OK, "apply: %s", r.message);
  check(kplain_value() == 2 && kplain_cet(5) == 17, "both redirected: %d %d", kplain_value(), kplain_cet(5));
  check(r.checks == 8, "4 addresses strictly inside each function's 5 bytes were checked, got %u", r.checks);
  check(value[0] == 0xe9, "a 5-byte jump at the entry: %02x", value[0]);
  check(!memcmp(cet, "\xf3\x0f\x1e\xfa", 4) && cet[4] == 0xe9, "endbr64 kept, the jump after it");
  check(!memcmp(value + 5, value_before + 5, 3), "nothing written past the 5 bytes");
  check(revert(dir, "unprepared/plain").status == KULP_OK, "revert");
  check(kplain_value() == 1 && kplain_cet(5) == 16, "original again: %d %d", kplain_value(), kplain_cet(5));
  check(!memcmp(value, value_before, sizeof value_before) && !memcmp(cet, cet_before, sizeof cet_before),
        "the original bytes are back");
  check(apply(dir, "unprepared/plain").status == KULP_OK && kplain_value() == 2, "and it applies again");
}

static void stacksAndRevertsOutOfOrderInTheSystemsOwnLibz(void) {
  uLong original = compressBound(1000);
  uint8_t *entry = plain_code("libz.so.1", "compressBound"), before[5];
  memcpy(before, entry, 5);
  check(apply(dir, "unprepared/zlib_bound").status == KULP_OK && compressBound(1000) == original + 1000, "first patch");
  struct result r = apply(dir, "unprepared/zlib_bound3");
  check(r.status == KULP_OK && compressBound(1000) == original + 2000, "second patch on top");
  check(r.checks == 0, "stacking is a store to the gate's word, no check: %u", r.checks);
  r = revert(dir, "unprepared/zlib_bound");
  check(r.status == KULP_OK && compressBound(1000) == original + 2000, "the older one reverted, the newer stays");
  check(revert(dir, "unprepared/zlib_bound3").status == KULP_OK && compressBound(1000) == original, "original");
  check(!memcmp(entry, before, 5), "compressBound's own bytes are back");
  check(apply(dir, "unprepared/zlib_bound").status == KULP_OK, "apply again");
  check(revert_all("libz.so.1").status == KULP_OK && compressBound(1000) == original, "revert-all");
}

static void preparedAndUnpreparedPatchesLiveSideBySideInOneProcess(void) {
  uLong original = compressBound(1000);
  check(apply(dir, "value_v2").status == KULP_OK, "a prepared function");
  check(apply(dir, "unprepared/zlib_bound").status == KULP_OK, "a function without padding");
  check(apply(dir, "value_v3").status == KULP_OK, "stacked on the prepared one");
  check(kfix_value() == 3 && compressBound(1000) == original + 1000, "both patched: %d", kfix_value());
  check(revert(dir, "value_v2").status == KULP_OK && kfix_value() == 3, "the older prepared patch reverted");
  check(revert_all("libz.so.1").status == KULP_OK && compressBound(1000) == original, "libz reverted alone");
  check(kfix_value() == 3 && kulp_abi.n_patches == 1, "the prepared patch stays");
}

static void anAbortedApplyGivesTheFunctionItsFirstByteBack(void) {
  uint8_t *entry = plain_code("libz.so.1", "compressBound"), before[5];
  memcpy(before, entry, 5);
  uLong original = compressBound(1000);
  struct result r = apply_then_abort(dir, "unprepared/zlib_bound");
  check(r.checks == 4, "the apply waited for a check: %u", r.checks);
  check(!memcmp(entry, before, 5) && compressBound(1000) == original, "the int3 is gone, the function original");
  check(kulp_abi.n_patches == 0, "nothing recorded");
}

static void whileArmedACallTrapsIntoTheNewFunctionAndTheHelperDropsItAtTheDeadline(void) {
  uint8_t *entry = plain_code("libz.so.1", "compressBound"), before[5];
  memcpy(before, entry, 5);
  uLong original = compressBound(1000);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t deadline = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + 300 * 1000000;
  struct result r = apply_left_waiting(dir, "unprepared/zlib_bound", deadline);
  check(r.status == KULP_OK && r.checks == 4, "armed, waiting for the engine's check: %s", r.message);
  check(entry[0] == 0xcc, "an int3 on the first byte: %02x", entry[0]);
  check(compressBound(1000) == original + 1000, "a call now traps into the new function");
  /* Wait for the byte to come back (at most 2 s past the deadline), and note when it did. */
  int64_t back = 0;
  for (int i = 0; i < 2300 && !back; i++) {
    if (!memcmp(entry, before, 5)) {
      clock_gettime(CLOCK_MONOTONIC, &now);
      back = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    } else {
      usleep(1000);
    }
  }
  check(back != 0, "with no COMMIT, the helper gave the byte back");
  check(back >= deadline, "not before the request's deadline (%.1f ms early)", (double)(deadline - back) / 1e6);
  check(compressBound(1000) == original && kulp_abi.n_patches == 0, "original, nothing recorded");
}

static int app_traps;
static void app_trap_handler(int sig) { (void)sig, app_traps++; }

static void aSigtrapThatIsNotOursReachesTheApplicationsHandler(void) {
  signal(SIGTRAP, app_trap_handler);
  check(apply(dir, "unprepared/zlib_bound").status == KULP_OK, "apply installs kulp's handler in front");
  raise(SIGTRAP);
  check(app_traps == 1, "the application's handler still gets its SIGTRAP: %d", app_traps);
}

static int trap_blocked; /* set once the thread below has SIGTRAP blocked */

static void *block_trap_and_sleep(void *arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTRAP);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  __atomic_store_n(&trap_blocked, 1, __ATOMIC_RELEASE);
  pause();
  return NULL;
}

static void refusesWhenAThreadBlocksSigtrap(void) {
  pthread_t t;
  pthread_create(&t, NULL, block_trap_and_sleep, NULL);
  for (int i = 0; i < 2000 && !__atomic_load_n(&trap_blocked, __ATOMIC_ACQUIRE); i++) usleep(1000);
  check(trap_blocked, "a thread blocks SIGTRAP");
  uint8_t *entry = plain_code("libz.so.1", "compressBound"), before[5];
  memcpy(before, entry, 5);
  struct result r = apply(dir, "unprepared/zlib_bound");
  check(r.status == KULP_E_SIGTRAP && contains(r.message, "blocks SIGTRAP"), "refused, saying why: %s", r.message);
  check(!memcmp(entry, before, 5), "nothing written");
}

static void refusesAFunctionWhoseFirstBytesAreNotThoseThePatchWasMadeFor(void) {
  char name[4096], path[PATH_MAX];
  snprintf(name, sizeof name, "%s/unprepared/zlib_bound.so", dir);
  check(realpath(name, path) != NULL, "%s exists", name); /* the runtime wants an absolute path */
  struct section ulp = read_section(path, ".ulp");
  check(ulp.data != NULL, "read .ulp");
  if (!ulp.data) return;
  uint32_t funcs;
  memcpy(&funcs, ulp.data + 188, 4);
  ulp.data[funcs + 20] ^= 0x01; /* entry_crc */
  memset(ulp.data + 12, 0, 4);
  uint32_t crc = crc32_ieee(ulp.data, ulp.len);
  memcpy(ulp.data + 12, &crc, 4);
  struct result r = apply_blob(path, ulp.data, ulp.len);
  check(r.status == KULP_E_ENTRY && contains(r.message, "compressBound"), "refused: %s", r.message);
}

static void refusesAFunctionWithoutPaddingWhereCodeCannotBeWritable(void) {
  if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L)) {
    check(false, "kernel without PR_SET_MDWE: cannot run this test");
    return;
  }
  struct result r = apply(dir, "unprepared/zlib_bound");
  check(r.status == KULP_E_WRITE && contains(r.message, "forbids writable code"), "refused: %s", r.message);
}

/* --- a seccomp filter the engine could not read, probed in a child (probe.c) ------ */

static bool ring_says(const char *text) {
  for (int i = 0; i < KULP_RING_SIZE; i++)
    if (kulp_abi.ring[i].seq && contains(kulp_abi.ring[i].text, text)) return true;
  return false;
}

static int install_filter(struct sock_filter *code, unsigned short len) {
  struct sock_fprog prog = {.len = len, .filter = code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
}

static void aFilterThatAllowsWritingCodeIsFoundOutInAChildAndTheRuntimeWritesItself(void) {
  struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  check(install_filter(allow, 1) == 0, "a filter is installed");
  harness_flags = KULP_REQ_PROBE_WRITE;
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_OK && r.writes == 0 && kfix_value() == 2, "the runtime wrote the code itself: %s", r.message);
  check(ring_says("seccomp probe: the runtime may write code itself"), "after asking the filter in a child");
  r = apply(dir, "unprepared/zlib_bound");
  check(r.status == KULP_OK, "and a function without padding is redirected: %s", r.message);
}

static void aFilterThatKillsForWritableCodeKillsOnlyTheProbe(void) {
  /* mprotect(..., PROT_READ|PROT_WRITE|PROT_EXEC) kills the whole process, as a systemd
   * SystemCallFilter without SystemCallErrorNumber would kill for a call it does not list. */
  struct sock_filter kill_rwx[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 16),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_READ | PROT_WRITE | PROT_EXEC, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  check(install_filter(kill_rwx, sizeof kill_rwx / sizeof kill_rwx[0]) == 0, "a filter is installed");
  harness_flags = KULP_REQ_PROBE_WRITE;
  struct result r = apply(dir, "value_v2");
  check(r.status == KULP_OK && r.writes > 0 && kfix_value() == 2, "alive, and patched through engine writes (%u): %s",
        r.writes, r.message);
  check(ring_says("seccomp probe: its seccomp filter kills a process"), "the probe was killed, and said so");
  r = apply(dir, "unprepared/zlib_bound");
  check(r.status == KULP_E_WRITE && contains(r.message, "forbids writable code"), "refused, alive: %s", r.message);
}

static const struct {
  const char *name;
  void (*run)(void);
} tests[] = {
#define T(f) {#f, f}
    T(appliesAPatchAndTheFunctionReturnsTheNewValue),
    T(stacksPatchesAndTheNewestWins),
    T(revertsTheMiddlePatchAndKeepsTheNewestActive),
    T(reappliesWithoutAnotherQuiescenceCheck),
    T(anAbortedCheckIsAskedForAgainOnTheNextApply),
    T(revertAllRevertsEveryPatchOfTheLibrary),
    T(revertAllThenApplyIsOneChange),
    T(refusesAPatchForAnotherBuildOfTheLibrary),
    T(refusesAPatchWhoseNewFunctionIsMissing),
    T(reportsALibraryThatIsNotLoaded),
    T(refusesAFunctionWhosePaddingIsNotIntact),
    T(refusesToApplyTheSamePatchTwice),
    T(refusesEveryChangeWhileLivePatchingIsDisabled),
    T(refusesToRevertAPatchThatIsNotApplied),
    T(refusesADamagedContainer),
    T(makesNoChangeWhenTheDeadlineHasPassed),
    T(replacesAStaticFunctionByOffset),
    T(reachesAStaticVariableOfTheLibrary),
    T(reachesATlsVariableOfTheLibrary),
    T(reachesStaticPointersAtTheOffsetsTheDescriptionGives),
    T(callsAStaticFunctionOfTheLibraryThroughAReference),
    T(fillsTheReferencesOfAPatchWithoutFunctions),
    T(refusesAPatchOffsetOutsideTheContainersWritableData),
    T(patchesAFunctionThatStartsWithEndbr64),
    T(patchesFunctionsWithAwkwardPadding),
    T(appliesAndRevertsAMultiFunctionPatchAsOneUnit),
    T(appliesInAProcessThatForbidsWritableCode),
    T(aPadTornByAnEngineThatDiedIsWrittenWholeNextTime),
    T(theHelperThreadServesRequests),
    T(neverWritesToStdoutOrStderr),
    T(aForkedChildKeepsThePatchesAndGetsItsOwnHelper),
    T(redirectsFunctionsWithoutPaddingAndGivesTheirBytesBack),
    T(stacksAndRevertsOutOfOrderInTheSystemsOwnLibz),
    T(preparedAndUnpreparedPatchesLiveSideBySideInOneProcess),
    T(anAbortedApplyGivesTheFunctionItsFirstByteBack),
    T(whileArmedACallTrapsIntoTheNewFunctionAndTheHelperDropsItAtTheDeadline),
    T(aSigtrapThatIsNotOursReachesTheApplicationsHandler),
    T(refusesWhenAThreadBlocksSigtrap),
    T(refusesAFunctionWhoseFirstBytesAreNotThoseThePatchWasMadeFor),
    T(refusesAFunctionWithoutPaddingWhereCodeCannotBeWritable),
    T(aFilterThatAllowsWritingCodeIsFoundOutInAChildAndTheRuntimeWritesItself),
    T(aFilterThatKillsForWritableCodeKillsOnlyTheProbe),
    T(aConsistentPatchIsPlannedFirstAndMadeOnlyAtCommit),
    T(aConsistentPatchIsRefusedByAnEngineThatDoesNotMakeTheCheck),
    T(anAbortedPlannedChangeWroteNothing),
#undef T
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PATCHES_DIR [TEST]\n", argv[0]);
    return 2;
  }
  dir = argv[1];
  setvbuf(stdout, NULL, _IOLBF, 0);
  size_t n = sizeof tests / sizeof tests[0];
  printf("1..%zu\n", n);
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    if (argc > 2 && strcmp(argv[2], tests[i].name)) {
      printf("ok %zu - %s # SKIP not selected\n", i + 1, tests[i].name);
      continue;
    }
    pid_t pid = fork();
    if (pid == 0) {
      alarm(20);
      /* The child's helper is starting: tests that serve requests from this thread need to know
       * which thread it is (a runtime never counts it among the application's threads). */
      for (int w = 0; w < 2000 && !__atomic_load_n(&kulp_abi.helper_tid, __ATOMIC_ACQUIRE); w++) usleep(1000);
      tests[i].run();
      fflush(stdout);
      _exit(failures ? 1 : 0);
    }
    int status;
    waitpid(pid, &status, 0);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && WIFSIGNALED(status)) printf("#   killed by signal %d\n", WTERMSIG(status));
    printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 1, tests[i].name);
    failed += !ok;
  }
  return failed ? 1 : 0;
}
