/*
 * kulp.h: the whole contract between libpulp.so (kulp's runtime, preloaded into
 * every live-patchable process) and the tools outside it (the Java engine behind
 * `ulp` and the node agent).
 *
 * The outside reads and writes one exported object, `kulp_abi`, through
 * process_vm_readv/writev or /proc/PID/mem. Everything in it is fixed-size and
 * pointer-free, so a tool can read it without stopping the process and can
 * bounds-check every count before trusting it. Structures are x86-64, little
 * endian, naturally aligned; the engine decodes them by the offsets asserted at
 * the end of this file, so any change to a layout is a change of KULP_ABI_VERSION.
 * magic, version and size stay the first three fields of kulp_abi in every version:
 * an engine reads them first, and leaves a runtime of a version it does not serve
 * alone, saying so (docs/operations.md, "Upgrades").
 *
 * How a request flows (docs/design.md has the reasoning):
 *  1. At load, the runtime starts one helper thread ("kulp-helper") with every
 *     signal blocked. It parks in FUTEX_WAIT on mailbox.request.seq.
 *  2. The engine PTRACE_SEIZEs that thread only (which proves it may ptrace the
 *     process and keeps a second engine out), writes a request, bumps
 *     request.seq, and PTRACE_INTERRUPTs the helper. The interrupted futex wait
 *     is restarted by the kernel, sees the new seq, and returns.
 *  3. The helper does the work in the process's own context, publishes
 *     mailbox.response, and parks again. The engine polls the response.
 *  Nothing of the user's threads is borrowed: no red zone, no interrupted
 *  syscall, no lock the helper could be holding. If the engine dies at any
 *  point, the kernel detaches it and the helper finishes or drops the request
 *  by itself, so a patch is wholly applied or not at all.
 */
#ifndef KULP_H
#define KULP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "KULP" in memory order. */
#define KULP_ABI_MAGIC 0x504c554bu
#define KULP_ABI_VERSION 1u

/* Name of the exported object the engine looks up in libpulp.so's .dynsym. */
#define KULP_ABI_SYMBOL "kulp_abi"
/* Name the helper thread carries in /proc/PID/task/TID/comm. */
#define KULP_HELPER_NAME "kulp-helper"

/* Capacities. The engine checks every count it reads against these. */
#define KULP_MAX_PATCHES 128    /* applied patches tracked at once */
#define KULP_MAX_FUNCS 1024     /* patched function pairs, all patches together */
#define KULP_MAX_SITES 1024     /* distinct target functions ever patched */
#define KULP_MAX_PATCH_FUNCS 256 /* function pairs in one patch */
#define KULP_MAX_PATCH_REFS 256 /* private-data references in one patch */
#define KULP_MAX_CHECKS 256     /* addresses in one quiescence check */
#define KULP_MAX_WRITES 512     /* code writes queued for the engine */
#define KULP_METADATA_MAX 65536 /* bytes of one .ulp section */
#define KULP_PATH_MAX 1024
#define KULP_NAME_MAX 128       /* library basenames and symbol names */
#define KULP_LABELS_MAX 256     /* labels of one patch, '\n'-separated */
#define KULP_MESSAGE_MAX 480
#define KULP_RING_SIZE 64
#define KULP_ID_LEN 16          /* raw bytes of a patch id (32 hex characters) */
#define KULP_BUILD_ID_MAX 64
#define KULP_GATES 1024         /* indirection gates for processes that forbid W+X */

/* --- Errors: one table, code next to message. The engine has the same table
 *     (io.kulp.engine.RuntimeError) and a test keeps the two identical. ------ */
#define KULP_ERRORS(X)                                                                   \
  X(KULP_OK, 0, "ok")                                                                    \
  X(KULP_E_AGAIN, 1, "unsafe right now, try again")                                      \
  X(KULP_E_BUSY, 2, "another request is in progress")                                    \
  X(KULP_E_BAD_REQUEST, 3, "malformed request")                                          \
  X(KULP_E_BAD_METADATA, 4, "malformed or truncated .ulp metadata")                      \
  X(KULP_E_LIB_NOT_LOADED, 5, "target library is not loaded in this process")            \
  X(KULP_E_BUILDID_MISMATCH, 6, "target library build-id does not match the patch")      \
  X(KULP_E_NO_BUILDID, 7, "target library has no build-id")                              \
  X(KULP_E_ALREADY_APPLIED, 8, "patch is already applied")                               \
  X(KULP_E_NOT_APPLIED, 9, "patch is not applied")                                       \
  X(KULP_E_BAD_FUNCTION, 10, "target function is outside the library's code")            \
  X(KULP_E_PADDING, 11, "function padding is not intact (not live-patchable)")          \
  X(KULP_E_DLOPEN, 12, "cannot load the patch container")                                \
  X(KULP_E_CONTAINER_MISMATCH, 13, "loaded container is not the one the metadata names") \
  X(KULP_E_NEW_SYMBOL, 14, "new function or reference not found in the patch")           \
  X(KULP_E_TARGET_SYMBOL, 15, "private reference cannot be resolved in the target")      \
  X(KULP_E_CAPACITY, 16, "too many patches, functions or gates")                         \
  X(KULP_E_TIMEOUT, 17, "request deadline passed before any change was made")            \
  X(KULP_E_WRITE, 18, "cannot write code")                                               \
  X(KULP_E_NO_PREPARED, 19, "nothing prepared to commit")                                \
  X(KULP_E_INTERNAL, 20, "internal error")                                               \
  X(KULP_E_DISABLED, 21, "live patching is disabled in this process")                   \
  X(KULP_E_ENTRY, 22, "function entry differs from the library the patch was made for")  \
  X(KULP_E_SIGTRAP, 23, "a thread blocks SIGTRAP, which redirecting a function without padding needs")  \
  X(KULP_E_CONSISTENT, 24, "the patch needs the consistency check, which this engine did not ask for")

enum kulp_error {
#define KULP_X_ENUM(name, code, text) name = code,
  KULP_ERRORS(KULP_X_ENUM)
#undef KULP_X_ENUM
};

/* Text for a code; never NULL. */
const char *kulp_strerror(int code);

/* --- Requests -------------------------------------------------------------- */

enum kulp_command {
  KULP_CMD_NONE = 0,
  KULP_CMD_PING = 1,       /* answer OK; proves the helper is alive */
  KULP_CMD_APPLY = 2,      /* metadata + path: apply one patch */
  KULP_CMD_REVERT = 3,     /* patch_id: revert one patch, wherever it sits in the stacks */
  KULP_CMD_REVERT_ALL = 4, /* library: revert every patch of that library */
  KULP_CMD_REVERT_ALL_APPLY = 5, /* library, then metadata + path, as one change */
  KULP_CMD_COMMIT = 6,     /* finish the prepared change (after a check or engine writes) */
  KULP_CMD_ABORT = 7,      /* drop the prepared change; nothing was activated */
};

/* request.flags */
#define KULP_REQ_SELF_WRITE 0x1u /* the engine checked that mprotect(PROT_WRITE|PROT_EXEC) is
                                    allowed (no seccomp filter against it, no MDWE): the
                                    runtime may write code itself with atomic stores */
#define KULP_REQ_PROBE_WRITE 0x2u /* the engine could not read the process's seccomp filter (it
                                     lacks CAP_SYS_ADMIN): the runtime may find out in a
                                     throwaway child whether the filter allows writing code
                                     (src/probe.c), and write it itself if so */
#define KULP_REQ_CONSISTENT 0x4u /* the consistency check (a patch packed with it): plan the
                                    change, answer PLANNED, and make it only at COMMIT, which
                                    the engine sends while it holds every other thread stopped
                                    and has proved that none of them runs, or will return into,
                                    the code the change stops calling */

struct kulp_request {
  uint32_t seq;            /* futex word; the engine bumps it last to post a request */
  uint32_t command;        /* enum kulp_command */
  uint32_t flags;          /* KULP_REQ_* */
  uint32_t metadata_len;   /* bytes used in metadata[] */
  int64_t deadline_ns;     /* CLOCK_MONOTONIC of the target (its time namespace); the runtime
                              makes no change after it. 0 = none */
  uint8_t patch_id[KULP_ID_LEN];     /* KULP_CMD_REVERT */
  char library[KULP_NAME_MAX];       /* KULP_CMD_REVERT_ALL*: basename */
  char path[KULP_PATH_MAX];          /* container path as the target sees it */
  uint8_t metadata[KULP_METADATA_MAX]; /* the container's .ulp section, verbatim */
};

/* --- Responses ------------------------------------------------------------- */

enum kulp_phase {
  KULP_PHASE_IDLE = 0,
  KULP_PHASE_WORKING = 1,   /* the helper took the request */
  KULP_PHASE_COMMITTING = 2, /* past the deadline check: the change will complete */
  KULP_PHASE_DONE = 3,      /* final: status says how it ended */
  KULP_PHASE_NEED_CHECK = 4, /* prepared; the engine must prove that no thread's
                                instruction pointer is at any checks[] address, then COMMIT */
  KULP_PHASE_NEED_WRITES = 5, /* prepared; the engine must make writes[] (the `live` ones
                                 while every thread is stopped and none is inside
                                 forbidden[]), then COMMIT */
  KULP_PHASE_PLANNED = 6,   /* KULP_REQ_CONSISTENT: planned, the container loaded, nothing
                               written; checks[] holds the entry of every piece of code the
                               change stops calling (the original function, or the replacement
                               of the patch now on top of it). COMMIT makes the change at once;
                               any other request drops it */
};

/* A code write the runtime could not make itself (the process forbids W+X). */
struct kulp_write {
  uint64_t addr;
  uint32_t len;            /* 1..16 */
  uint32_t live;           /* 0: inert (no thread can execute these bytes), write any time,
                              in order; 1: needs every thread stopped */
  uint8_t bytes[16];       /* new contents */
  uint8_t expect[16];      /* current contents; the engine refuses if they differ */
};

/* A range no stopped thread's instruction pointer may be in, [start, end). */
struct kulp_range {
  uint64_t start;
  uint64_t end;
};

struct kulp_response {
  uint32_t seq;            /* the request seq this response belongs to; set after phase WORKING */
  uint32_t phase;          /* enum kulp_phase; written last, after everything else */
  int32_t status;          /* enum kulp_error, final when phase == DONE */
  uint32_t n_checks;
  uint32_t n_writes;
  uint32_t n_forbidden;
  uint64_t applied_patches; /* patches applied after this request */
  uint64_t checks[KULP_MAX_CHECKS];
  struct kulp_write writes[KULP_MAX_WRITES];
  struct kulp_range forbidden[KULP_MAX_WRITES];
  char message[KULP_MESSAGE_MAX]; /* detail for status, e.g. which function and why */
};

struct kulp_mailbox {
  struct kulp_request request;
  struct kulp_response response;
};

/* --- Applied patches: read from outside with a seqlock on `generation` ------ */

struct kulp_patch_record {
  uint8_t id[KULP_ID_LEN];
  uint32_t first_func;     /* index into kulp_abi.funcs */
  uint32_t n_funcs;
  int64_t applied_realtime_ns;
  uint64_t order;          /* increases with each apply; the newest wins a stack */
  char library[KULP_NAME_MAX];
  char path[KULP_PATH_MAX];
  char labels[KULP_LABELS_MAX];
};

struct kulp_func_record {
  uint64_t old_addr;       /* entry of the patched function in the target library */
  uint64_t new_addr;       /* the replacement in the patch container */
  uint32_t patch;          /* index into kulp_abi.patches */
  uint32_t active;         /* 1 if this pair is the top of its function's stack */
  char old_name[KULP_NAME_MAX];
  char new_name[KULP_NAME_MAX];
};

/* --- Message ring: the runtime's only voice (it never writes to stdout/err) - */

enum kulp_level { KULP_INFO = 0, KULP_WARN = 1, KULP_ERROR = 2 };

struct kulp_message {
  uint64_t seq;            /* 1-based; 0 = empty slot. Written last. */
  int64_t realtime_ns;
  uint32_t level;
  uint32_t pad;
  char text[KULP_MESSAGE_MAX];
};

/* --- The root object ------------------------------------------------------- */

enum kulp_state {
  KULP_STATE_LOADING = 0,
  KULP_STATE_READY = 1,    /* helper parked and waiting for requests */
  KULP_STATE_NO_HELPER = 2, /* the helper could not be started; see the ring */
};

/* Why the runtime refuses every change in this process (kulp_abi.disabled): libpulp's
 * switches, read once at load from the environment, or `ulp set_patchable disable`, which
 * the engine writes here from outside (and `enable` clears whatever the reason, as in
 * libpulp). 0: live patching is on. */
enum kulp_disabled {
  KULP_ENABLED = 0,
  KULP_DISABLED_ON_PATH = 1,   /* LIBPULP_DISABLE_ON_PATH matched the executable's path */
  KULP_DISABLED_ON_USERS = 2,  /* LIBPULP_DISABLE_ON_USERS matched the real user */
  KULP_DISABLED_ON_GROUPS = 3, /* LIBPULP_DISABLE_ON_GROUPS matched the real group */
  KULP_DISABLED_BY_ULP = 4,    /* `ulp set_patchable disable` */
};

struct kulp_abi {
  uint32_t magic;          /* KULP_ABI_MAGIC */
  uint32_t version;        /* KULP_ABI_VERSION */
  uint32_t size;           /* sizeof(struct kulp_abi) */
  uint32_t state;          /* enum kulp_state */
  int32_t helper_tid;      /* in the process's own PID namespace */
  uint32_t n_patches;
  uint32_t n_funcs;
  uint32_t disabled;       /* enum kulp_disabled; the engine may write it at any time */
  uint64_t generation;     /* even: patches/funcs stable; odd: being changed */
  uint64_t message_head;   /* seq of the newest message; slot = (seq - 1) % KULP_RING_SIZE */
  struct kulp_mailbox mailbox;
  struct kulp_patch_record patches[KULP_MAX_PATCHES];
  struct kulp_func_record funcs[KULP_MAX_FUNCS];
  struct kulp_message ring[KULP_RING_SIZE];
};

extern struct kulp_abi kulp_abi;

/* Process the request in kulp_abi.mailbox now, in the calling thread, unless it
 * was already answered. This is what the helper runs; tests call it directly. */
void kulp_service(void);

/* Layout checks: the engine decodes by these offsets. */
#define KULP_ASSERT_OFFSET(type, field, off) \
  _Static_assert(__builtin_offsetof(type, field) == (off), #type "." #field)
KULP_ASSERT_OFFSET(struct kulp_abi, disabled, 28);
KULP_ASSERT_OFFSET(struct kulp_abi, generation, 32);
KULP_ASSERT_OFFSET(struct kulp_abi, message_head, 40);
KULP_ASSERT_OFFSET(struct kulp_abi, mailbox, 48);
KULP_ASSERT_OFFSET(struct kulp_request, deadline_ns, 16);
KULP_ASSERT_OFFSET(struct kulp_request, patch_id, 24);
KULP_ASSERT_OFFSET(struct kulp_request, library, 40);
KULP_ASSERT_OFFSET(struct kulp_request, path, 168);
KULP_ASSERT_OFFSET(struct kulp_request, metadata, 1192);
KULP_ASSERT_OFFSET(struct kulp_response, applied_patches, 24);
KULP_ASSERT_OFFSET(struct kulp_response, checks, 32);
_Static_assert(sizeof(struct kulp_request) == 1192 + KULP_METADATA_MAX, "kulp_request size");
_Static_assert(sizeof(struct kulp_write) == 48, "kulp_write size");
_Static_assert(sizeof(struct kulp_patch_record) == 40 + KULP_NAME_MAX + KULP_PATH_MAX + KULP_LABELS_MAX,
               "kulp_patch_record size");
_Static_assert(sizeof(struct kulp_func_record) == 24 + 2 * KULP_NAME_MAX, "kulp_func_record size");
_Static_assert(sizeof(struct kulp_message) == 24 + KULP_MESSAGE_MAX, "kulp_message size");

/* --- Codes of the .ulp patch format (docs/patch-format.md) ------------------
 * The runtime reads them from request.metadata; the engine's io.kulp.patch
 * (PatchKind, ReferenceKind) writes them, and AbiLayoutTest keeps the two equal. */

/* Header field `kind`: what a section asks for. */
enum kulp_patch_kind {
  KULP_PATCH_APPLY = 1,  /* .ulp: what to patch and with what */
  KULP_PATCH_REVERT = 2, /* .ulp.rev: which applied patch a file reverts */
};

/* Header field `flags` (offset 45, 8 bits). */
enum kulp_patch_flags {
  /* The patch's old and new code must not run side by side (`ulp packer --consistent`): it is
   * applied and reverted only at a moment when no thread runs, or will return into, the code the
   * change stops calling (the engine unwinds every thread's stack; KULP_REQ_CONSISTENT). */
  KULP_PATCH_CONSISTENT = 0x1,
};

/* Function field `flags` (offset 16, 32 bits). */
enum kulp_func_flags {
  /* The old function has no kulp padding (an ordinary build): the runtime redirects it with a
   * 5-byte `jmp rel32` at its entry, after endbr64 if it starts with one. The packer proved with
   * a decoder that those 5 bytes can be overwritten (docs/design.md, "Functions without
   * padding"), and field `entry_crc` (offset 20) holds the CRC-32 of those bytes as it saw them. */
  KULP_FUNC_UNPREPARED = 0x1,
};

/* Reference field `kind`: what the runtime stores in the patch's variable. */
enum kulp_ref_kind {
  KULP_REF_DATA = 1, /* "#target:ref": the address of the target's variable, in a pointer */
  KULP_REF_TLS = 2,  /* "#%target:ref": the TLS module and offset, in a struct kulp_tls_ref */
};

/* Reference field `patch_offset` (offset 20, 32 bits). Until libpulp compatibility it was
 * reserved and 0, so 0 keeps its meaning: the runtime finds the patch's variable with dlsym.
 * Otherwise it is the variable's offset from the container's load base: libpulp's
 * "#target:ref:TARGET_OFFSET:PATCH_OFFSET" lines, and references held in a `static`
 * pointer, which dlsym cannot see. The runtime writes there only if the range lies in the
 * container's writable data, outside PT_GNU_RELRO. */
#define KULP_REF_BY_NAME 0u

/* --- For patch authors: TLS references ("#%var:ref" in the .dsc) -----------
 * The runtime fills a `struct kulp_tls_ref` in the patch with the target
 * library's TLS module and the variable's offset; the patch code then gets the
 * calling thread's copy with KULP_TLS_ADDR(ref). */
struct kulp_tls_ref {
  unsigned long module;
  unsigned long offset;
};
extern void *__tls_get_addr(struct kulp_tls_ref *);
#define KULP_TLS_ADDR(ref) (__tls_get_addr(&(ref)))

#ifdef __cplusplus
}
#endif
#endif /* KULP_H */
