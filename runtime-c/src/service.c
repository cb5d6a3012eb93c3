/* Serving the engine's requests: apply, revert, revert-all, and the two-phase
 * commit for changes the engine must finish.
 *
 * Every change is planned as a list of site operations (a function starts jumping
 * to a new target, changes target, or goes back to its original code), then made
 * in two steps:
 *   prepare: everything no thread can observe: load the container, fill its
 *            references, write fresh padding, turn the entry's two one-byte NOPs
 *            into one two-byte NOP;
 *   commit:  the stores that redirect calls, all in one go, after the deadline check.
 * Between the two the engine may have to act: prove that no thread sits between
 * the two old NOPs (NEED_CHECK), or make the code writes itself while every thread
 * is stopped, when this process forbids writable code (NEED_WRITES). If the engine
 * never comes back, nothing visible has changed. */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "runtime.h"

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

struct op {
  struct site *site;
  uint64_t to; /* new target; 0 = the original code */
};

static struct change {
  bool valid;
  uint32_t command;
  bool self; /* the runtime writes code itself (else the engine does) */
  bool removed[KULP_MAX_PATCHES];
  uint32_t n_removed;
  bool adding;
  void *handle;
  uint8_t blob[KULP_METADATA_MAX];
  struct ulp_meta meta;
  char path[KULP_PATH_MAX];
  char library[KULP_NAME_MAX];
  uint64_t old_addrs[KULP_MAX_PATCH_FUNCS], new_addrs[KULP_MAX_PATCH_FUNCS];
  struct op ops[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  uint32_t n_ops;
  struct site *to_verify[KULP_MAX_CHECKS];
  uint32_t n_verify;
  struct kulp_write writes[KULP_MAX_WRITES];
  uint32_t n_writes;
} change;

static pthread_mutex_t service_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t handled_seq;
static struct kulp_response *const resp = &kulp_abi.mailbox.response;
static struct kulp_request *const req = &kulp_abi.mailbox.request;

static void set_phase(uint32_t phase) { __atomic_store_n(&resp->phase, phase, __ATOMIC_RELEASE); }

/* Publishes a response: everything first, the phase last. */
static void vreply(uint32_t phase, int status, const char *fmt, va_list ap) {
  vsnprintf(resp->message, sizeof resp->message, fmt, ap);
  resp->status = status;
  resp->applied_patches = kulp_abi.n_patches;
  kulp_log(status ? KULP_ERROR : KULP_INFO, "%s", resp->message);
  set_phase(phase);
}

static void reply(uint32_t phase, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(uint32_t phase, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreply(phase, KULP_OK, fmt, ap);
  va_end(ap);
}

static void finish(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void finish(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreply(KULP_PHASE_DONE, status, fmt, ap);
  va_end(ap);
}

static void id_hex(const uint8_t *id, char out[2 * KULP_ID_LEN + 1]) {
  hex_string(id, KULP_ID_LEN, out, 2 * KULP_ID_LEN + 1);
}

/* Drops a prepared change. The container stays loaded once anything was written
 * for it: a thread may already be on its way into the padding. */
static void drop_change(const char *why) {
  if (change.valid) kulp_log(KULP_WARN, "prepared change dropped: %s", why);
  change.valid = false;
}

static bool bounded(const char *s, size_t len) { return memchr(s, '\0', len) != NULL; }

static bool mdwe_enabled(void) {
  int r = prctl(PR_GET_MDWE, 0L, 0L, 0L, 0L);
  return r > 0;
}

/* Queues a write for the engine; false when the queue is full (the change is then refused
 * before anything visible was written). */
static bool queue_write(uintptr_t addr, const void *bytes, uint32_t len, bool live) {
  if (change.n_writes == KULP_MAX_WRITES) return false;
  struct kulp_write *w = &change.writes[change.n_writes++];
  memset(w, 0, sizeof *w);
  w->addr = addr;
  w->len = len;
  w->live = live;
  memcpy(w->bytes, bytes, len);
  memcpy(w->expect, (const void *)addr, len);
  return true;
}

/* --- planning -------------------------------------------------------------- */

static int resolve_new_patch(const struct loaded_object *target) {
  struct ulp_meta *m = &change.meta;
  change.handle = dlopen(change.path, RTLD_NOW | RTLD_LOCAL);
  if (!change.handle) {
    const char *e = dlerror();
    finish(KULP_E_DLOPEN, "cannot load %s: %s", change.path, e ? e : "unknown error");
    return -1;
  }
  struct link_map *lm = NULL;
  struct loaded_object container;
  if (dlinfo(change.handle, RTLD_DI_LINKMAP, &lm) || !object_by_base(lm->l_addr, &container) ||
      container.build_id_len != m->container_build_id_len ||
      memcmp(container.build_id, m->container_build_id, m->container_build_id_len)) {
    char want[2 * KULP_BUILD_ID_MAX + 1];
    hex_string(m->container_build_id, m->container_build_id_len, want, sizeof want);
    finish(KULP_E_CONTAINER_MISMATCH, "%s is not the container the metadata was packed for (build-id %s)",
           change.path, want);
    dlclose(change.handle);
    return -1;
  }
  for (uint32_t i = 0; i < m->n_funcs; i++) {
    void *fn = dlsym(change.handle, m->funcs[i].new_name);
    if (!fn || object_exec_prot(&container, (uintptr_t)fn, (uintptr_t)fn + 1) < 0) {
      finish(KULP_E_NEW_SYMBOL, "function %s not found in the code of %s", m->funcs[i].new_name, change.path);
      dlclose(change.handle);
      return -1;
    }
    change.new_addrs[i] = (uint64_t)(uintptr_t)fn;
  }
  for (uint32_t i = 0; i < m->n_refs; i++) {
    const struct ulp_ref *r = &m->refs[i];
    void *var = dlsym(change.handle, r->patch_name);
    if (!var) {
      finish(KULP_E_NEW_SYMBOL, "reference variable %s not found in %s", r->patch_name, change.path);
      dlclose(change.handle);
      return -1;
    }
    if (r->kind == KULP_REF_TLS) {
      if (target->tls_modid == 0) {
        finish(KULP_E_TARGET_SYMBOL, "%s has no TLS block for %s", m->library, r->target_name);
        dlclose(change.handle);
        return -1;
      }
      struct kulp_tls_ref *t = var;
      t->module = target->tls_modid;
      t->offset = r->target_offset;
    } else {
      *(void **)var = (void *)(target->base + r->target_offset);
    }
  }
  return 0;
}

static int plan_addition(void) {
  struct ulp_meta *m = &change.meta;
  char why[KULP_MESSAGE_MAX];
  if (req->metadata_len > KULP_METADATA_MAX || !bounded(req->path, sizeof req->path) || req->path[0] != '/') {
    finish(KULP_E_BAD_REQUEST, "request needs the .ulp metadata and an absolute container path");
    return -1;
  }
  memcpy(change.blob, req->metadata, req->metadata_len);
  memcpy(change.path, req->path, sizeof change.path);
  int rc = ulp_parse(change.blob, req->metadata_len, m, why, sizeof why);
  if (rc) {
    finish(rc, "%s: %s", change.path, why);
    return -1;
  }
  if (m->kind != KULP_PATCH_APPLY) {
    finish(KULP_E_BAD_METADATA, "%s: this is a revert section, not a patch", change.path);
    return -1;
  }
  char id[2 * KULP_ID_LEN + 1];
  id_hex(m->id, id);
  int existing = patch_find(m->id);
  if (existing >= 0 && !change.removed[existing]) {
    finish(KULP_E_ALREADY_APPLIED, "patch %s is already applied", id);
    return -1;
  }
  uint32_t removed_funcs = 0;
  for (uint32_t p = 0; p < kulp_abi.n_patches; p++)
    if (change.removed[p]) removed_funcs += kulp_abi.patches[p].n_funcs;
  if (kulp_abi.n_patches - change.n_removed + 1 > KULP_MAX_PATCHES ||
      kulp_abi.n_funcs - removed_funcs + m->n_funcs > KULP_MAX_FUNCS) {
    finish(KULP_E_CAPACITY, "cannot track more than %d patches or %d functions", KULP_MAX_PATCHES, KULP_MAX_FUNCS);
    return -1;
  }

  struct loaded_object target;
  rc = object_by_basename(m->library, m->build_id, m->build_id_len, &target);
  if (rc) {
    char want[2 * KULP_BUILD_ID_MAX + 1], have[2 * KULP_BUILD_ID_MAX + 1];
    hex_string(m->build_id, m->build_id_len, want, sizeof want);
    hex_string(target.build_id, target.build_id_len, have, sizeof have);
    if (rc == KULP_E_LIB_NOT_LOADED) finish(rc, "%s is not loaded in this process", m->library);
    else if (rc == KULP_E_NO_BUILDID) finish(rc, "%s has no build-id; kulp cannot tell which build it is", m->library);
    else finish(rc, "%s build-id mismatch: the patch wants %s, the process has %s", m->library, want, have);
    return -1;
  }
  for (uint32_t i = 0; i < m->n_funcs; i++) {
    uintptr_t addr = target.base + m->funcs[i].old_offset;
    /* The padding, the entry, and endbr64 if present must all be code of the target. */
    if (object_exec_prot(&target, addr - PAD_LEN, addr + 6) < 0) {
      finish(KULP_E_BAD_FUNCTION, "%s at offset %#lx is outside the code of %s", m->funcs[i].old_name,
             (unsigned long)m->funcs[i].old_offset, m->library);
      return -1;
    }
    struct site *s = site_find(addr);
    if (s && site_entry_state(s) == ENTRY_FOREIGN) {
      finish(KULP_E_PADDING, "%s: entry was changed by something other than kulp", m->funcs[i].old_name);
      return -1;
    }
    if (!s) {
      /* Check the padding before loading anything; the site is registered later. */
      const uint8_t *pad = (const uint8_t *)(addr - PAD_LEN);
      bool endbr = !memcmp((const void *)addr, "\xf3\x0f\x1e\xfa", 4);
      const uint8_t *e = (const uint8_t *)addr + (endbr ? 4 : 0);
      bool ok = (e[0] == 0x90 || e[0] == 0x66) && e[1] == 0x90;
      for (int k = 0; k < PAD_LEN; k++) ok = ok && pad[k] == 0x90;
      if (!ok) {
        finish(KULP_E_PADDING, "%s at %#lx: padding is not intact (found %02x %02x at the entry); was %s built with "
               "-fpatchable-function-entry=16,14?", m->funcs[i].old_name, (unsigned long)addr, e[0], e[1], m->library);
        return -1;
      }
    }
    change.old_addrs[i] = addr;
  }
  if (resolve_new_patch(&target)) return -1;
  change.adding = true;
  return 0;
}

static int plan_removal(uint32_t command) {
  if (command == KULP_CMD_REVERT) {
    int p = patch_find(req->patch_id);
    if (p < 0) {
      char id[2 * KULP_ID_LEN + 1];
      id_hex(req->patch_id, id);
      finish(KULP_E_NOT_APPLIED, "patch %s is not applied", id);
      return -1;
    }
    change.removed[p] = true;
    change.n_removed = 1;
    return 0;
  }
  if (!bounded(req->library, sizeof req->library) || !req->library[0] || strchr(req->library, '/')) {
    finish(KULP_E_BAD_REQUEST, "revert-all needs a library basename");
    return -1;
  }
  memcpy(change.library, req->library, sizeof change.library);
  for (uint32_t p = 0; p < kulp_abi.n_patches; p++)
    if (!strcmp(kulp_abi.patches[p].library, req->library)) {
      change.removed[p] = true;
      change.n_removed++;
    }
  return 0;
}

static bool add_op(uint64_t addr, bool self, int prot_hint) {
  for (uint32_t i = 0; i < change.n_ops; i++)
    if (change.ops[i].site->entry == addr) return true;
  uint64_t to = patch_top(addr, change.removed, change.adding ? change.meta.n_funcs : 0, change.old_addrs,
                          change.new_addrs);
  struct site *s = site_find(addr);
  if (!s) {
    if (!to) return true; /* never touched, stays original */
    char why[KULP_MESSAGE_MAX];
    const char *name = "function";
    for (uint32_t i = 0; i < change.meta.n_funcs; i++)
      if (change.old_addrs[i] == addr) name = change.meta.funcs[i].old_name;
    int rc = site_create(addr, prot_hint, !self, name, &s, why, sizeof why);
    if (rc) {
      finish(rc, "%s", why);
      return false;
    }
  }
  if (to == site_current_target(s)) return true;
  change.ops[change.n_ops++] = (struct op){s, to};
  return true;
}

/* --- making the change ----------------------------------------------------- */

static void commit(void);

static void prepare(void) {
  resp->n_checks = resp->n_writes = resp->n_forbidden = 0;
  change.n_writes = change.n_verify = 0;
  for (uint32_t i = 0; i < change.n_ops; i++) {
    struct site *s = change.ops[i].site;
    uint64_t to = change.ops[i].to;
    enum entry_state entry = site_entry_state(s);
    bool activating = to && entry != ENTRY_JUMP;
    uint8_t pad[PAD_LEN];
    if (change.self) {
      if (!activating) continue;
      if (!code_open(s->pad, s->body)) goto refused;
      if (site_pad_needs_layout(s)) {
        site_pad_bytes(s, site_pad_target(s, to), pad);
        memcpy((void *)s->pad, pad, PAD_LEN);
      } else if (s->gate < 0) {
        /* A pad used before: only its target changes, atomically (a thread that
         * jumped in just before an earlier revert may still be reading it). */
        code_store8(s->slot, to);
      }
      if (entry == ENTRY_PRISTINE) {
        /* 90 90 -> 66 90: one byte, so atomic; a thread between the NOPs still
         * finds a NOP at entry+1. Only once no thread can be there may the entry
         * become a jump: the engine checks (NEED_CHECK). */
        *(volatile uint8_t *)s->jmp_at = 0x66;
      }
      code_close(s->pad, s->body, s->prot);
      if (!s->verified) {
        /* Also when an earlier attempt merged the NOPs but its check never passed. Only the
         * new patch's functions (at most KULP_MAX_PATCH_FUNCS) are ever activated here. */
        if (resp->n_checks == KULP_MAX_CHECKS) {
          finish(KULP_E_CAPACITY, "more than %d functions to check at once", KULP_MAX_CHECKS);
          return;
        }
        resp->checks[resp->n_checks++] = s->jmp_at + 1;
        change.to_verify[change.n_verify++] = s;
      }
    } else {
      uint16_t insn;
      bool queued = true;
      if (activating) {
        if (site_pad_needs_layout(s)) {
          site_pad_bytes(s, site_pad_target(s, to), pad);
          queued = queue_write(s->pad, pad, PAD_LEN, false);
        } else if (s->gate < 0) {
          queued = queue_write(s->slot, &to, 8, true);
        }
        insn = site_jump_insn(s);
        queued = queued && queue_write(s->jmp_at, &insn, 2, true);
      } else if (s->gate < 0 && to) {
        queued = queue_write(s->slot, &to, 8, true);
      } else if (s->gate < 0) {
        insn = 0x9066;
        queued = queue_write(s->jmp_at, &insn, 2, true);
      }
      if (!queued) {
        finish(KULP_E_CAPACITY, "this change needs more than %d code writes in a process that forbids writable code; "
               "make it in smaller steps (fewer patches at once)", KULP_MAX_WRITES);
        return;
      }
    }
  }
  if (change.self && resp->n_checks) {
    change.valid = true;
    reply(KULP_PHASE_NEED_CHECK, "prepared; waiting for the engine to check %u entries", resp->n_checks);
    return;
  }
  if (!change.self && change.n_writes) {
    memcpy(resp->writes, change.writes, change.n_writes * sizeof change.writes[0]);
    resp->n_writes = change.n_writes;
    for (uint32_t i = 0; i < change.n_writes; i++)
      if (change.writes[i].live)
        resp->forbidden[resp->n_forbidden++] =
            (struct kulp_range){change.writes[i].addr + 1, change.writes[i].addr + change.writes[i].len};
    change.valid = true;
    reply(KULP_PHASE_NEED_WRITES, "prepared; this process forbids writable code, waiting for the engine to write %u places",
          change.n_writes);
    return;
  }
  commit();
  return;
refused:
  /* Only inert bytes can have been written so far. */
  finish(KULP_E_WRITE, "cannot make the code writable (%s); retry with engine writes", strerror(errno));
}

static void commit(void) {
  set_phase(KULP_PHASE_COMMITTING);
  /* Checked after COMMITTING is visible: an engine that gave up at the deadline
   * either sees COMMITTING (and waits for DONE) or knows we will stop here. */
  if (req->deadline_ns && now_monotonic_ns() > req->deadline_ns) {
    change.valid = false;
    finish(KULP_E_TIMEOUT, "request deadline passed before the change; nothing was changed");
    return;
  }
  if (!change.self)
    for (uint32_t i = 0; i < change.n_writes; i++)
      if (memcmp((const void *)change.writes[i].addr, change.writes[i].bytes, change.writes[i].len)) {
        change.valid = false;
        finish(KULP_E_WRITE, "the engine's write at %#lx did not land; nothing was changed",
               (unsigned long)change.writes[i].addr);
        return;
      }
  for (uint32_t i = 0; i < change.n_ops; i++) {
    struct site *s = change.ops[i].site;
    uint64_t to = change.ops[i].to;
    site_retarget_gate(s, to);
    if (!change.self) continue;
    bool activate = to && site_entry_state(s) != ENTRY_JUMP;
    if (!activate && s->gate >= 0) continue; /* data only */
    if (!code_open(s->pad, s->body)) {
      /* The probe in plan() opened these same pages moments ago; each switch is
       * complete on its own, so the sites already done stay consistent. */
      kulp_log(KULP_ERROR, "%s: code became unwritable during commit: %s", s->name, strerror(errno));
      continue;
    }
    if (activate) code_store2(s->jmp_at, site_jump_insn(s));
    else if (to) code_store8(s->slot, to);
    else code_store2(s->jmp_at, 0x9066);
    code_close(s->pad, s->body, s->prot);
  }
  /* Engine writes were made with every thread stopped; each resumes through the kernel,
   * which serializes it. Only our own stores need the barrier (and only then may we make
   * a system call the engine did not vet against the process's seccomp filter). */
  if (change.self) code_sync_all_cores();
  for (uint32_t i = 0; i < change.n_verify; i++) change.to_verify[i]->verified = true;
  patch_table_update(change.removed, change.adding ? &change.meta : NULL, change.path, change.old_addrs,
                     change.new_addrs);
  change.valid = false;
  char id[2 * KULP_ID_LEN + 1] = "";
  if (change.adding) id_hex(change.meta.id, id);
  switch (change.command) {
    case KULP_CMD_APPLY:
      finish(KULP_OK, "applied patch %s to %s (%u functions)", id, change.meta.library, change.meta.n_funcs);
      break;
    case KULP_CMD_REVERT_ALL_APPLY:
      finish(KULP_OK, "reverted %u patches of %s, then applied patch %s", change.n_removed, change.library, id);
      break;
    case KULP_CMD_REVERT_ALL:
      finish(KULP_OK, "reverted %u patches of %s", change.n_removed, change.library);
      break;
    default:
      finish(KULP_OK, "reverted 1 patch");
  }
}

/* The protection to restore on the code around addr (its executable segment). */
static int code_prot(uintptr_t addr) {
  struct site *s = site_find(addr);
  if (s) return s->prot;
  Dl_info info;
  struct link_map *lm = NULL;
  struct loaded_object o;
  if (!dladdr1((void *)addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm || !object_by_base(lm->l_addr, &o))
    return -1;
  return object_exec_prot(&o, addr - PAD_LEN, addr + 6);
}

static void plan(uint32_t command) {
  memset(change.removed, 0, sizeof change.removed);
  change.n_removed = 0;
  change.n_ops = 0;
  change.adding = false;
  change.library[0] = '\0';
  change.command = command;
  bool self = (req->flags & KULP_REQ_SELF_WRITE) && !mdwe_enabled();
  if (command != KULP_CMD_APPLY && plan_removal(command)) return;
  if ((command == KULP_CMD_APPLY || command == KULP_CMD_REVERT_ALL_APPLY) && plan_addition()) return;
  /* dlopen may have waited for the loader lock, held by another thread: if that took us past
   * the deadline, the engine has given up; stop here, before any write. */
  if (req->deadline_ns && now_monotonic_ns() > req->deadline_ns) {
    finish(KULP_E_TIMEOUT, "request deadline passed while loading the patch (was the dynamic loader busy?); "
           "nothing was changed");
    return;
  }

  /* Every function the change touches. */
  static uint64_t addrs[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  static int prots[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  uint32_t n = 0;
  for (uint32_t i = 0; change.adding && i < change.meta.n_funcs; i++) addrs[n++] = change.old_addrs[i];
  for (uint32_t i = 0; i < kulp_abi.n_funcs; i++)
    if (change.removed[kulp_abi.funcs[i].patch]) addrs[n++] = kulp_abi.funcs[i].old_addr;
  for (uint32_t i = 0; i < n; i++) prots[i] = code_prot(addrs[i]);

  /* Probe whether this process lets us write its code at all (seccomp, MDWE or an
   * LSM may refuse) before any new site is laid out for one way or the other. */
  for (uint32_t i = 0; self && i < n; i++) {
    if (prots[i] < 0 || !code_open(addrs[i] - PAD_LEN, addrs[i] + 6)) {
      kulp_log(KULP_WARN, "cannot make code writable (%s): the engine will write it", strerror(errno));
      self = false;
      break;
    }
    code_close(addrs[i] - PAD_LEN, addrs[i] + 6, prots[i]);
  }
  for (uint32_t i = 0; i < n; i++)
    if (!add_op(addrs[i], self, prots[i])) return;

  /* A two-byte entry store that would straddle a quadword is not atomic: such a
   * change is made by the engine with every thread stopped. */
  for (uint32_t i = 0; self && i < change.n_ops; i++)
    if (!site_atomic_entry(change.ops[i].site)) self = false;
  change.self = self;
  prepare();
}

static void handle(uint32_t seq) {
  resp->seq = seq;
  resp->status = KULP_OK;
  resp->message[0] = '\0';
  set_phase(KULP_PHASE_WORKING);
  uint32_t command = req->command;
  if (command == KULP_CMD_COMMIT) {
    if (!change.valid) finish(KULP_E_NO_PREPARED, "nothing prepared to commit");
    else commit();
    return;
  }
  drop_change("a new request arrived");
  resp->n_checks = resp->n_writes = resp->n_forbidden = 0;
  if (req->deadline_ns && now_monotonic_ns() > req->deadline_ns) {
    finish(KULP_E_TIMEOUT, "request deadline passed before it was served; nothing was changed");
    return;
  }
  switch (command) {
    case KULP_CMD_PING:
      finish(KULP_OK, "pong");
      break;
    case KULP_CMD_ABORT:
      finish(KULP_OK, "aborted");
      break;
    case KULP_CMD_APPLY:
    case KULP_CMD_REVERT:
    case KULP_CMD_REVERT_ALL:
    case KULP_CMD_REVERT_ALL_APPLY:
      plan(command);
      break;
    default:
      finish(KULP_E_BAD_REQUEST, "unknown command %u", command);
  }
}

__attribute__((visibility("default"))) void kulp_service(void) {
  pthread_mutex_lock(&service_lock);
  uint32_t seq = __atomic_load_n(&req->seq, __ATOMIC_ACQUIRE);
  if (seq != handled_seq) {
    handled_seq = seq;
    handle(seq);
  }
  pthread_mutex_unlock(&service_lock);
}

/* After fork: the child keeps the parent's patches (same code, same table) but not
 * its half-finished request, whose engine talks to the parent. */
void service_after_fork(void) {
  pthread_mutex_init(&service_lock, NULL);
  change.valid = false;
  handled_seq = __atomic_load_n(&req->seq, __ATOMIC_ACQUIRE);
  resp->seq = handled_seq;
  set_phase(KULP_PHASE_IDLE);
}

void service_lock_for_fork(void) { pthread_mutex_lock(&service_lock); }
void service_unlock_for_fork(void) { pthread_mutex_unlock(&service_lock); }
