/* Internal interfaces of libpulp.so. Nothing here is visible outside the library
 * (libpulp.map exports only what kulp.h declares). */
#ifndef KULP_RUNTIME_H
#define KULP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kulp.h"

/* We run inside someone else's process: never end it, whatever happens. */
#pragma GCC poison exit abort assert _exit

#define HIDDEN __attribute__((visibility("hidden")))
#define PAD_LEN 14  /* NOPs before the entry: -fpatchable-function-entry=16,14 */

/* --- the ABI object and messages (abi.c) ----------------------------------- */
HIDDEN void abi_init(void);
HIDDEN void kulp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- libpulp's LIBPULP_DISABLE_ON_* switches (disable.c) ------------------- */
/* Sets kulp_abi.disabled when the environment excludes this process; at load only. */
HIDDEN void disable_from_environment(void);
/* The name of what set kulp_abi.disabled to `why`, for messages. */
HIDDEN const char *disabled_by(uint32_t why);

/* --- .ulp metadata (metadata.c) -------------------------------------------- */
struct ulp_func {
  const char *old_name;
  const char *new_name;
  uint64_t old_offset;
  uint32_t flags;     /* KULP_FUNC_* */
  uint32_t entry_crc; /* KULP_FUNC_UNPREPARED: CRC-32 of the 5 bytes the jump overwrites */
};
struct ulp_ref {
  const char *target_name;
  const char *patch_name;
  uint64_t target_offset;
  uint32_t kind; /* enum kulp_ref_kind */
  uint32_t patch_offset; /* KULP_REF_BY_NAME, or the variable's offset in the container */
};
struct ulp_meta {
  uint16_t kind; /* enum kulp_patch_kind */
  uint8_t flags; /* enum kulp_patch_flags */
  uint8_t id[KULP_ID_LEN];
  const char *library;
  uint8_t build_id[KULP_BUILD_ID_MAX];
  uint32_t build_id_len;
  uint8_t container_build_id[KULP_BUILD_ID_MAX];
  uint32_t container_build_id_len;
  uint32_t n_funcs, n_refs, n_labels;
  struct ulp_func funcs[KULP_MAX_PATCH_FUNCS];
  struct ulp_ref refs[KULP_MAX_PATCH_REFS];
  const char *labels[32];
};
/* Parses and validates blob (which must outlive meta). On failure returns a
 * KULP_E_* code and describes the problem in why. */
HIDDEN int ulp_parse(const uint8_t *blob, size_t len, struct ulp_meta *meta, char *why, size_t why_len);
HIDDEN uint32_t ulp_crc32(const uint8_t *data, size_t len);

/* --- loaded objects (objects.c) -------------------------------------------- */
struct loaded_object {
  uintptr_t base;        /* load bias */
  const char *name;      /* path as the loader knows it */
  uint8_t build_id[KULP_BUILD_ID_MAX];
  uint32_t build_id_len;
  size_t tls_modid;
  /* executable PT_LOAD ranges and their protections */
  uintptr_t exec_start[4], exec_end[4];
  int exec_prot[4];
  int n_exec;
  /* writable PT_LOAD ranges, and PT_GNU_RELRO (read-only once relocated) */
  uintptr_t data_start[4], data_end[4];
  int n_data;
  uintptr_t relro_start, relro_end;
};
/* Finds a loaded object by basename (want_build_id may be NULL: first match). Returns
 * 0, KULP_E_LIB_NOT_LOADED, KULP_E_BUILDID_MISMATCH (found, ids differ; *out holds the
 * last one seen) or KULP_E_NO_BUILDID. */
HIDDEN int object_by_basename(const char *basename, const uint8_t *want_build_id, uint32_t want_len,
                              struct loaded_object *out);
/* Finds the loaded object whose load bias is base. */
HIDDEN bool object_by_base(uintptr_t base, struct loaded_object *out);
/* Protection of the executable segment holding [start, end), or -1 if none does. */
HIDDEN int object_exec_prot(const struct loaded_object *obj, uintptr_t start, uintptr_t end);
/* True if [start, end) is data the object may write after relocation: inside a writable
 * segment and outside PT_GNU_RELRO. */
HIDDEN bool object_writable(const struct loaded_object *obj, uintptr_t start, uintptr_t end);
HIDDEN void hex_string(const uint8_t *bytes, size_t len, char *out, size_t out_len);

/* --- function sites and the code that redirects them (sites.c) ------------- */
/* A site is a patchable function the runtime has touched. Sites are never
 * forgotten: their padding keeps our jump layout for the life of the process. */
struct site {
  uintptr_t entry;   /* the function symbol */
  uintptr_t pad;     /* entry - 14: our 14-byte absolute jump lives here */
  uintptr_t jmp_at;  /* the 2 entry NOPs, after endbr64 if present */
  uintptr_t body;    /* jmp_at + 2: the original code, which needs no NOPs */
  uintptr_t slot;    /* the 8-byte jump target the pad reads: in the pad, or a gate's */
  uint16_t slot_in_pad; /* offset of the pad's own 8-byte pointer */
  uint16_t jmp_in_pad;  /* offset of the pad's `jmp *disp(%rip)` */
  int16_t gate;      /* >= 0: the pad jumps through kulp_gate_stubs[gate] */
  bool verified;     /* entry is one 2-byte instruction and no thread can be between the old NOPs */
  /* A function without padding (KULP_FUNC_UNPREPARED, unprepared.c): jmp_at is where a 5-byte
   * `jmp rel32` to a near gate goes (after endbr64), pad and body are unused. */
  bool unprepared;
  uint8_t original[5]; /* the bytes the jump replaces, as the packer analysed them */
  uintptr_t stub;      /* the near gate's code the jump leads to; slot is its target word */
  int trap;            /* index in the trap table: where a thread that hits our int3 goes */
  int prot;          /* protection of the code pages, restored after writing */
  char name[KULP_NAME_MAX];
};
/* ENTRY_ARMED: an unprepared site's first byte is our int3, the rest still original. */
enum entry_state { ENTRY_PRISTINE, ENTRY_NOP2, ENTRY_JUMP, ENTRY_ARMED, ENTRY_FOREIGN };

HIDDEN struct site *site_find(uintptr_t entry);
/* Registers a new site after checking its padding is intact. gated forces a gate
 * (processes that forbid W+X); otherwise a gate is used only when no 8-byte
 * pointer in the padding can be naturally aligned. */
HIDDEN int site_create(uintptr_t entry, int prot, bool gated, const char *name, struct site **out,
                       char *why, size_t why_len);
/* Registers a site for a function without padding whose 5 bytes at its redirect point are
 * `original` (unprepared.c). */
HIDDEN int site_create_unprepared(uintptr_t entry, int prot, const char *name, const uint8_t original[5],
                                  struct site **out, char *why, size_t why_len);
HIDDEN enum entry_state site_entry_state(const struct site *s);
/* Bytes of the 2-byte entry instruction that jumps back into the padding. */
HIDDEN uint16_t site_jump_insn(const struct site *s);
/* The 14 bytes of padding that jump through s->slot's value. */
HIDDEN void site_pad_bytes(const struct site *s, uint64_t target, uint8_t out[PAD_LEN]);
/* Where the site currently jumps to, or 0 when its entry is not redirected. */
HIDDEN uint64_t site_current_target(const struct site *s);
/* What the pad's 8-byte slot must hold for calls to reach `to`: `to`, or the site's gate. */
HIDDEN uint64_t site_pad_target(const struct site *s, uint64_t to);
/* True when the pad must be written whole (it is not yet a complete jump). */
HIDDEN bool site_pad_needs_layout(const struct site *s);
/* For a gated site, points its gate at `to` (0: the original code); no-op otherwise. */
HIDDEN void site_retarget_gate(const struct site *s, uint64_t to);
/* True when a 2-byte and an 8-byte store to this site are single-copy atomic. */
HIDDEN bool site_atomic_entry(const struct site *s);

struct op;
/* --- functions without padding (unprepared.c) -------------------------------- */
#define JUMP5_LEN 5
/* Where the 5-byte jump of an unprepared function at entry goes: after endbr64, if any. */
HIDDEN uintptr_t unprepared_redirect_point(uintptr_t entry);
/* Registers an unprepared site: a near gate within rel32 reach, a trap table entry. The caller
 * checked that the bytes at the redirect point are `original` (or our own jump or int3). */
HIDDEN int unprepared_site_init(struct site *s, const uint8_t original[JUMP5_LEN], char *why, size_t why_len);
HIDDEN enum entry_state unprepared_entry_state(const struct site *s);
/* True when the breakpoint protocol can be used now: our SIGTRAP handler is installed (again,
 * if the application replaced it) and no thread but the helper blocks SIGTRAP. Else says why. */
HIDDEN bool unprepared_traps_ready(char *why, size_t why_len);
/* Self-write steps for unprepared sites (self_write.c calls them):
 *   arm:     the near gate's stub and target, then an int3 on the first byte; the addresses
 *            strictly inside the 5 bytes go to checks[] (no thread may be there at commit);
 *   commit:  activations get their tail then their first byte, returns to the original code
 *            an int3 first, then the original tail, then the first byte; a barrier after each;
 *   disarm:  an armed site whose change is dropped gets its first byte back. */
HIDDEN int unprepared_arm(struct site *s, uint64_t to, char *why, size_t why_len);
HIDDEN void unprepared_commit(struct op *ops, uint32_t n_ops);
HIDDEN void unprepared_disarm(struct site *s);

/* Gates: tiny jumps in libpulp's own text through a data word the runtime can
 * update with an ordinary store, with no code write at all (gates.c). */
HIDDEN int gate_alloc(void);
HIDDEN uintptr_t gate_stub(int gate);
HIDDEN uint64_t *gate_target(int gate);

/* --- writing code (codewrite.c) -------------------------------------------- */
/* Opens [start, end) for writing while keeping it executable. False (errno set)
 * when the process forbids it: seccomp, MDWE, an LSM. */
HIDDEN bool code_open(uintptr_t start, uintptr_t end);
HIDDEN void code_close(uintptr_t start, uintptr_t end, int prot);
HIDDEN void code_store2(uintptr_t at, uint16_t value);
HIDDEN void code_store8(uintptr_t at, uint64_t value);
/* Makes every thread of the process serialize its instruction stream. */
HIDDEN void code_sync_all_cores(void);
HIDDEN void code_sync_init(void);

/* --- applied patches (patches.c) -------------------------------------------- */
HIDDEN int patch_find(const uint8_t id[KULP_ID_LEN]);
/* Whether applied patch p was packed with the consistency check (KULP_PATCH_CONSISTENT). */
HIDDEN bool patch_consistent(uint32_t p);
HIDDEN uint64_t patch_top(uint64_t addr, const bool *removed, uint32_t n_add, const uint64_t *add_old,
                          const uint64_t *add_new);
HIDDEN void patch_table_update(const bool *removed, const struct ulp_meta *add, const char *path,
                               const uint64_t *old_addrs, const uint64_t *new_addrs);

/* --- a change to the code: planned by plan.c, made by self_write.c or
 *     engine_write.c, driven through its two steps by service.c ------------- */
struct op {
  struct site *site;
  uint64_t to; /* new target; 0 = the original code */
};

struct change {
  bool valid;        /* prepared (or planned), waiting for COMMIT */
  bool planned;      /* KULP_REQ_CONSISTENT: planned only; COMMIT prepares and commits at once */
  bool checked;      /* the engine already proved no thread is in the code to change */
  uint32_t command;  /* the KULP_CMD_* that planned it */
  bool self;         /* the runtime writes code itself (else the engine does) */
  bool removed[KULP_MAX_PATCHES]; /* applied patches this change reverts */
  uint32_t n_removed;
  bool adding;       /* meta is a new patch this change applies */
  void *unload;      /* a container planning loaded and refused: closed after the answer */
  uint8_t blob[KULP_METADATA_MAX]; /* the request's metadata; meta points into it */
  struct ulp_meta meta;
  char path[KULP_PATH_MAX];
  char library[KULP_NAME_MAX];
  uint64_t old_addrs[KULP_MAX_PATCH_FUNCS], new_addrs[KULP_MAX_PATCH_FUNCS];
  struct op ops[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  uint32_t n_ops;
  /* self-write: sites that count as verified once the engine's check passed */
  struct site *to_verify[KULP_MAX_CHECKS];
  uint32_t n_verify;
  /* self-write: unprepared sites armed with an int3 by prepare; disarmed if the change is dropped */
  struct site *armed[KULP_MAX_PATCH_FUNCS];
  uint32_t n_armed;
  int64_t expires_ns; /* CLOCK_MONOTONIC: when the helper drops an armed change by itself */
  uint32_t n_checks;
  /* engine-write: the writes asked of the engine. Commit checks them against this copy,
   * not against the response, which anyone outside can change. */
  struct kulp_write writes[KULP_MAX_WRITES];
  uint32_t n_writes;
};

/* Plans `command` (APPLY, REVERT, REVERT_ALL or REVERT_ALL_APPLY, as posted in req): the
 * patches it removes and adds, one op per function whose target changes, and who writes
 * the code. Writes no code. On failure returns a KULP_E_* code and describes it in why. */
HIDDEN int change_plan(struct change *c, uint32_t command, const struct kulp_request *req, char *why,
                       size_t why_len);
/* The two steps of a change in each write mode. prepare writes only what no thread can
 * observe and says in resp what the engine must do before COMMIT (checks[] or writes[]);
 * commit redirects the calls. On failure they return a KULP_E_* code and describe it in why. */
HIDDEN int self_write_prepare(struct change *c, struct kulp_response *resp, char *why, size_t why_len);
HIDDEN void self_write_commit(struct change *c);
/* Gives the functions a dropped change armed their first byte back (self-write only). */
HIDDEN void self_write_disarm(struct change *c);
HIDDEN int engine_write_prepare(struct change *c, struct kulp_response *resp, char *why, size_t why_len);
HIDDEN int engine_write_commit(struct change *c, char *why, size_t why_len);

/* --- whether a seccomp filter allows writing code, asked in a child (probe.c) -- */
HIDDEN bool probe_self_write(char *why, size_t why_len);

/* --- the request engine (service.c, helper.c) ------------------------------ */
HIDDEN int64_t now_monotonic_ns(void);
/* Nanoseconds the helper may sleep before an armed change expires, or -1 (service.c). */
HIDDEN int64_t service_wait_ns(void);
HIDDEN int64_t now_realtime_ns(void);

#endif
