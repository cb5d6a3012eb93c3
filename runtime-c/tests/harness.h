/* A tiny in-process stand-in for the engine, for testing the runtime without ptrace:
 * it posts requests into kulp_abi's mailbox and calls kulp_service() directly,
 * doing the engine's part of each phase itself (the test process has no other
 * thread that could run the patched code, so no check or stop is needed). */
#ifndef KULP_TEST_HARNESS_H
#define KULP_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kulp.h"

struct section {
  uint8_t *data;
  size_t len;
};

/* Reads section `name` of the ELF file at path; data == NULL if absent. */
struct section read_section(const char *path, const char *name);
uint32_t crc32_ieee(const uint8_t *data, size_t len);

struct result {
  int status;
  char message[KULP_MESSAGE_MAX];
  unsigned checks;  /* entries the runtime asked to check */
  unsigned writes;  /* code writes the runtime asked the engine to make */
  unsigned planned; /* entries of the code a consistent change stops calling (PLANNED) */
  uint64_t planned_code[4]; /* the first of them */
};

/* Flags for every request (e.g. KULP_REQ_SELF_WRITE). */
extern uint32_t harness_flags;

struct result apply_blob(const char *container, const uint8_t *blob, size_t len);
struct result apply(const char *patches_dir, const char *name);          /* name.so's .ulp */
struct result revert(const char *patches_dir, const char *name);         /* by name.so's .ulp.rev */
struct result revert_all(const char *library);
struct result revert_all_apply(const char *library, const char *patches_dir, const char *name);
/* Posts a request and lets the helper thread serve it (futex wake), as in real use. */
struct result apply_via_helper(const char *patches_dir, const char *name);
struct result request_with_deadline(const char *patches_dir, const char *name, int64_t deadline_ns);
/* Posts an apply and, if the runtime asks for a check, aborts instead of committing, as the
 * engine does when a thread keeps sitting at an entry. */
struct result apply_then_abort(const char *patches_dir, const char *name);
/* Posts an apply and answers its PLANNED with ABORT (as an engine that found a thread inside). */
struct result apply_planned_then_abort(const char *patches_dir, const char *name);
/* Posts an apply through the helper with that deadline and returns once it asks for a check,
 * without committing: an engine that died there. */
struct result apply_left_waiting(const char *patches_dir, const char *name, int64_t deadline_ns);
/* Posts an apply in engine-write mode and, as an engine killed mid-write would, writes only the
 * first torn_len bytes of the first inert write, then nothing else (no commit). */
struct result apply_with_torn_write(const char *patches_dir, const char *name, uint32_t torn_len);

/* Test bookkeeping, TAP output. */
void check(bool ok, const char *what, ...) __attribute__((format(printf, 2, 3)));
extern int failures;

#endif
