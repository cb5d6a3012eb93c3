/* Planning a change: what the engine's request means for this process's code,
 * decided before any code is written.
 *
 * A plan says which applied patches go (removed[]) and which new one comes (meta, with
 * its container loaded and its references filled), and holds one op for every function
 * whose target changes. It also decides who writes the code: the runtime itself (self)
 * or the engine. That choice belongs here, not to the write step, because it shapes
 * the sites planning registers: a site the engine will write gets a gate, so that its
 * later retargeting is a store to data that needs no engine and no stopped thread.
 * Planning may refuse; no function of the process has changed behaviour then. */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "runtime.h"

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

static int refuse(char *why, size_t why_len, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(char *why, size_t why_len, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_len, fmt, ap);
  va_end(ap);
  return rc;
}

static bool bounded(const char *s, size_t len) { return memchr(s, '\0', len) != NULL; }

static bool mdwe_enabled(void) {
  int r = prctl(PR_GET_MDWE, 0L, 0L, 0L, 0L);
  return r > 0;
}

/* Loads the container, checks it is the one the metadata was packed for, and resolves
 * the new functions and the private references. A container refused here is closed only
 * after the refusal is published (c->unload): dlclose may wait for the loader lock, and
 * the engine is waiting for the answer. */
static int resolve_new_patch(struct change *c, const struct loaded_object *target, char *why, size_t why_len) {
  struct ulp_meta *m = &c->meta;
  void *handle = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *e = dlerror();
    return refuse(why, why_len, KULP_E_DLOPEN, "cannot load %s: %s", c->path, e ? e : "unknown error");
  }
  struct link_map *lm = NULL;
  struct loaded_object container;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) || !object_by_base(lm->l_addr, &container) ||
      container.build_id_len != m->container_build_id_len ||
      memcmp(container.build_id, m->container_build_id, m->container_build_id_len)) {
    char want[2 * KULP_BUILD_ID_MAX + 1];
    hex_string(m->container_build_id, m->container_build_id_len, want, sizeof want);
    c->unload = handle;
    return refuse(why, why_len, KULP_E_CONTAINER_MISMATCH,
                  "%s is not the container the metadata was packed for (build-id %s)", c->path, want);
  }
  for (uint32_t i = 0; i < m->n_funcs; i++) {
    void *fn = dlsym(handle, m->funcs[i].new_name);
    if (!fn || object_exec_prot(&container, (uintptr_t)fn, (uintptr_t)fn + 1) < 0) {
      c->unload = handle;
      return refuse(why, why_len, KULP_E_NEW_SYMBOL, "function %s not found in the code of %s", m->funcs[i].new_name,
                    c->path);
    }
    c->new_addrs[i] = (uint64_t)(uintptr_t)fn;
  }
  for (uint32_t i = 0; i < m->n_refs; i++) {
    const struct ulp_ref *r = &m->refs[i];
    void *var;
    if (r->patch_offset == KULP_REF_BY_NAME) {
      var = dlsym(handle, r->patch_name);
    } else {
      /* A static pointer dlsym cannot see: the packer gave its offset. Write only where the
       * container's own data is, never into its code or its read-only-after-relocation part. */
      size_t len = r->kind == KULP_REF_TLS ? sizeof(struct kulp_tls_ref) : sizeof(void *);
      uintptr_t at = container.base + r->patch_offset;
      var = object_writable(&container, at, at + len) ? (void *)at : NULL;
    }
    if (!var) {
      c->unload = handle;
      return refuse(why, why_len, KULP_E_NEW_SYMBOL, "reference variable %s not found in the data of %s", r->patch_name,
                    c->path);
    }
    if (r->kind == KULP_REF_TLS) {
      if (target->tls_modid == 0) {
        c->unload = handle;
        return refuse(why, why_len, KULP_E_TARGET_SYMBOL, "%s has no TLS block for %s", m->library, r->target_name);
      }
      struct kulp_tls_ref *t = var;
      t->module = target->tls_modid;
      t->offset = r->target_offset;
    } else {
      *(void **)var = (void *)(target->base + r->target_offset);
    }
  }
  return KULP_OK;
}

/* A function without padding: its 5 bytes must be code of the target and what the packer
 * analysed (entry_crc), or already kulp's own jump there. */
static int check_unprepared(const struct loaded_object *target, const struct ulp_func *f, uintptr_t addr,
                            const char *library, char *why, size_t why_len) {
  if (object_exec_prot(target, addr, addr + 4 + JUMP5_LEN) < 0)
    return refuse(why, why_len, KULP_E_BAD_FUNCTION, "%s at offset %#lx is outside the code of %s", f->old_name,
                  (unsigned long)f->old_offset, library);
  struct site *s = site_find(addr);
  if (s && !s->unprepared)
    return refuse(why, why_len, KULP_E_ENTRY, "%s: an earlier patch used its padding, this one expects none; "
                  "were they packed for the same build?", f->old_name);
  if (s && site_entry_state(s) == ENTRY_FOREIGN)
    return refuse(why, why_len, KULP_E_ENTRY, "%s: its entry was changed by something other than kulp", f->old_name);
  const uint8_t *bytes = s ? s->original : (const uint8_t *)unprepared_redirect_point(addr);
  if (ulp_crc32(bytes, JUMP5_LEN) != f->entry_crc)
    return refuse(why, why_len, KULP_E_ENTRY,
                  "%s at %#lx: its first bytes (%02x %02x %02x %02x %02x) are not those the patch was made for; "
                  "was the code changed by another tool?",
                  f->old_name, (unsigned long)addr, bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]);
  return KULP_OK;
}

/* The patch the request brings: parsed and checked against what is applied, what fits,
 * and the target library actually loaded here, before anything is loaded. */
static int plan_addition(struct change *c, const struct kulp_request *req, char *why, size_t why_len) {
  struct ulp_meta *m = &c->meta;
  char detail[KULP_MESSAGE_MAX];
  if (req->metadata_len > KULP_METADATA_MAX || !bounded(req->path, sizeof req->path) || req->path[0] != '/')
    return refuse(why, why_len, KULP_E_BAD_REQUEST, "request needs the .ulp metadata and an absolute container path");
  memcpy(c->blob, req->metadata, req->metadata_len);
  memcpy(c->path, req->path, sizeof c->path);
  int rc = ulp_parse(c->blob, req->metadata_len, m, detail, sizeof detail);
  if (rc) return refuse(why, why_len, rc, "%s: %s", c->path, detail);
  if (m->kind != KULP_PATCH_APPLY)
    return refuse(why, why_len, KULP_E_BAD_METADATA, "%s: this is a revert section, not a patch", c->path);
  char id[2 * KULP_ID_LEN + 1];
  hex_string(m->id, KULP_ID_LEN, id, sizeof id);
  int existing = patch_find(m->id);
  if (existing >= 0 && !c->removed[existing])
    return refuse(why, why_len, KULP_E_ALREADY_APPLIED, "patch %s is already applied", id);
  uint32_t removed_funcs = 0;
  for (uint32_t p = 0; p < kulp_abi.n_patches; p++)
    if (c->removed[p]) removed_funcs += kulp_abi.patches[p].n_funcs;
  if (kulp_abi.n_patches - c->n_removed + 1 > KULP_MAX_PATCHES ||
      kulp_abi.n_funcs - removed_funcs + m->n_funcs > KULP_MAX_FUNCS)
    return refuse(why, why_len, KULP_E_CAPACITY, "cannot track more than %d patches or %d functions", KULP_MAX_PATCHES,
                  KULP_MAX_FUNCS);

  struct loaded_object target;
  rc = object_by_basename(m->library, m->build_id, m->build_id_len, &target);
  if (rc) {
    char want[2 * KULP_BUILD_ID_MAX + 1], have[2 * KULP_BUILD_ID_MAX + 1];
    hex_string(m->build_id, m->build_id_len, want, sizeof want);
    hex_string(target.build_id, target.build_id_len, have, sizeof have);
    if (rc == KULP_E_LIB_NOT_LOADED) return refuse(why, why_len, rc, "%s is not loaded in this process", m->library);
    if (rc == KULP_E_NO_BUILDID)
      return refuse(why, why_len, rc, "%s has no build-id; kulp cannot tell which build it is", m->library);
    return refuse(why, why_len, rc, "%s buildid mismatch: the patch wants %s, the process has %s", m->library, want,
                  have);
  }
  for (uint32_t i = 0; i < m->n_funcs; i++) {
    uintptr_t addr = target.base + m->funcs[i].old_offset;
    if (m->funcs[i].flags & KULP_FUNC_UNPREPARED) {
      if ((rc = check_unprepared(&target, &m->funcs[i], addr, m->library, why, why_len))) return rc;
      c->old_addrs[i] = addr;
      continue;
    }
    /* The padding, the entry, and endbr64 if present must all be code of the target. */
    if (object_exec_prot(&target, addr - PAD_LEN, addr + 6) < 0)
      return refuse(why, why_len, KULP_E_BAD_FUNCTION, "%s at offset %#lx is outside the code of %s",
                    m->funcs[i].old_name, (unsigned long)m->funcs[i].old_offset, m->library);
    struct site *s = site_find(addr);
    if (s && s->unprepared)
      return refuse(why, why_len, KULP_E_ENTRY, "%s: an earlier patch redirected it as a function without padding, "
                    "this one expects padding; were they packed for the same build?", m->funcs[i].old_name);
    if (s && site_entry_state(s) == ENTRY_FOREIGN)
      return refuse(why, why_len, KULP_E_PADDING, "%s: entry was changed by something other than kulp",
                    m->funcs[i].old_name);
    if (!s) {
      /* Check the padding before loading anything; the site is registered later. */
      const uint8_t *pad = (const uint8_t *)(addr - PAD_LEN);
      bool endbr = !memcmp((const void *)addr, "\xf3\x0f\x1e\xfa", 4);
      const uint8_t *e = (const uint8_t *)addr + (endbr ? 4 : 0);
      bool ok = (e[0] == 0x90 || e[0] == 0x66) && e[1] == 0x90;
      for (int k = 0; k < PAD_LEN; k++) ok = ok && pad[k] == 0x90;
      if (!ok)
        return refuse(why, why_len, KULP_E_PADDING,
                      "%s at %#lx: padding is not intact (found %02x %02x at the entry); was %s built with "
                      "-fpatchable-function-entry=16,14?",
                      m->funcs[i].old_name, (unsigned long)addr, e[0], e[1], m->library);
    }
    c->old_addrs[i] = addr;
  }
  rc = resolve_new_patch(c, &target, why, why_len);
  if (rc) return rc;
  c->adding = true;
  return KULP_OK;
}

/* The applied patches the request takes away: one by id, or every patch of a library. */
static int plan_removal(struct change *c, uint32_t command, const struct kulp_request *req, char *why,
                        size_t why_len) {
  if (command == KULP_CMD_REVERT) {
    int p = patch_find(req->patch_id);
    if (p < 0) {
      char id[2 * KULP_ID_LEN + 1];
      hex_string(req->patch_id, KULP_ID_LEN, id, sizeof id);
      return refuse(why, why_len, KULP_E_NOT_APPLIED, "patch %s is not applied", id);
    }
    c->removed[p] = true;
    c->n_removed = 1;
    return KULP_OK;
  }
  if (!bounded(req->library, sizeof req->library) || !req->library[0] || strchr(req->library, '/'))
    return refuse(why, why_len, KULP_E_BAD_REQUEST, "revert-all needs a library basename");
  memcpy(c->library, req->library, sizeof c->library);
  for (uint32_t p = 0; p < kulp_abi.n_patches; p++)
    if (!strcmp(kulp_abi.patches[p].library, req->library)) {
      c->removed[p] = true;
      c->n_removed++;
    }
  return KULP_OK;
}

/* One op for the function at addr if its target changes: the newest patch left on it once
 * the change is made, or its original code. A function never touched before becomes a site
 * here, laid out for the write mode (gated when the engine writes). */
static int add_op(struct change *c, uint64_t addr, bool self, int prot_hint, char *why, size_t why_len) {
  for (uint32_t i = 0; i < c->n_ops; i++)
    if (c->ops[i].site->entry == addr) return KULP_OK;
  uint64_t to = patch_top(addr, c->removed, c->adding ? c->meta.n_funcs : 0, c->old_addrs, c->new_addrs);
  struct site *s = site_find(addr);
  if (!s) {
    if (!to) return KULP_OK; /* never touched, stays original */
    const char *name = "function";
    bool unprepared = false;
    for (uint32_t i = 0; i < c->meta.n_funcs; i++)
      if (c->old_addrs[i] == addr) {
        name = c->meta.funcs[i].old_name;
        unprepared = c->meta.funcs[i].flags & KULP_FUNC_UNPREPARED;
      }
    int rc = unprepared ? site_create_unprepared(addr, prot_hint, name,
                                                 (const uint8_t *)unprepared_redirect_point(addr), &s, why, why_len)
                        : site_create(addr, prot_hint, !self, name, &s, why, why_len);
    if (rc) return rc;
  }
  if (to == site_current_target(s)) return KULP_OK;
  c->ops[c->n_ops++] = (struct op){s, to};
  return KULP_OK;
}

/* Whether the function at addr has no padding: its site says so, or the new patch. */
static bool unprepared_at(const struct change *c, uintptr_t addr) {
  struct site *s = site_find(addr);
  if (s) return s->unprepared;
  for (uint32_t i = 0; c->adding && i < c->meta.n_funcs; i++)
    if (c->old_addrs[i] == addr) return c->meta.funcs[i].flags & KULP_FUNC_UNPREPARED;
  return false;
}

/* The code a change may write for the function at addr: the padding and the entry, or the
 * redirect point's 5 bytes. */
static void code_range(const struct change *c, uintptr_t addr, uintptr_t *start, uintptr_t *end) {
  if (unprepared_at(c, addr)) {
    *start = addr;
    *end = unprepared_redirect_point(addr) + JUMP5_LEN;
  } else {
    *start = addr - PAD_LEN;
    *end = addr + 6;
  }
}

/* The protection to restore on the code around addr (its executable segment). */
static int code_prot(const struct change *c, uintptr_t addr) {
  struct site *s = site_find(addr);
  if (s) return s->prot;
  Dl_info info;
  struct link_map *lm = NULL;
  struct loaded_object o;
  if (!dladdr1((void *)addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm || !object_by_base(lm->l_addr, &o))
    return -1;
  uintptr_t start, end;
  code_range(c, addr, &start, &end);
  return object_exec_prot(&o, start, end);
}

/* Whether op changes the bytes at an unprepared function's entry (not just its gate's word). */
static bool moves_unprepared_entry(const struct op *op) {
  if (!op->site->unprepared) return false;
  enum entry_state e = site_entry_state(op->site);
  return op->to ? e != ENTRY_JUMP : e == ENTRY_JUMP;
}

int change_plan(struct change *c, uint32_t command, const struct kulp_request *req, char *why, size_t why_len) {
  memset(c->removed, 0, sizeof c->removed);
  c->n_removed = 0;
  c->n_ops = 0;
  c->adding = false;
  c->unload = NULL;
  c->library[0] = '\0';
  c->command = command;
  /* The engine vetted the process's seccomp filter (KULP_REQ_SELF_WRITE); MDWE is checked here. */
  bool self = (req->flags & KULP_REQ_SELF_WRITE) && !mdwe_enabled();
  if (!self && (req->flags & KULP_REQ_PROBE_WRITE) && !mdwe_enabled()) {
    char probe_why[KULP_MESSAGE_MAX];
    self = probe_self_write(probe_why, sizeof probe_why);
  }
  int rc;
  if (command != KULP_CMD_APPLY && (rc = plan_removal(c, command, req, why, why_len))) return rc;
  if ((command == KULP_CMD_APPLY || command == KULP_CMD_REVERT_ALL_APPLY) && (rc = plan_addition(c, req, why, why_len)))
    return rc;
  /* dlopen may have waited for the loader lock, held by another thread: if that took us past
   * the deadline, the engine has given up; stop here, before any write. */
  if (req->deadline_ns && now_monotonic_ns() > req->deadline_ns)
    return refuse(why, why_len, KULP_E_TIMEOUT,
                  "request deadline passed while loading the patch (was the dynamic loader busy?); "
                  "nothing was changed");

  /* Every function the change touches. Static: the helper's stack is small. */
  static uint64_t addrs[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  static int prots[KULP_MAX_FUNCS + KULP_MAX_PATCH_FUNCS];
  uint32_t n = 0;
  for (uint32_t i = 0; c->adding && i < c->meta.n_funcs; i++) addrs[n++] = c->old_addrs[i];
  for (uint32_t i = 0; i < kulp_abi.n_funcs; i++)
    if (c->removed[kulp_abi.funcs[i].patch]) addrs[n++] = kulp_abi.funcs[i].old_addr;
  for (uint32_t i = 0; i < n; i++) prots[i] = code_prot(c, addrs[i]);

  /* Probe whether this process lets us write its code at all (seccomp, MDWE or an
   * LSM may refuse) before any new site is laid out for one way or the other. */
  for (uint32_t i = 0; self && i < n; i++) {
    uintptr_t start, end;
    code_range(c, addrs[i], &start, &end);
    if (prots[i] < 0 || !code_open(start, end)) {
      kulp_log(KULP_WARN, "cannot make code writable (%s): the engine will write it", strerror(errno));
      self = false;
      break;
    }
    code_close(start, end, prots[i]);
  }
  for (uint32_t i = 0; i < n; i++)
    if ((rc = add_op(c, addrs[i], self, prots[i], why, why_len))) return rc;

  /* A two-byte entry store that would straddle a quadword is not atomic: such a
   * change is made by the engine with every thread stopped. */
  for (uint32_t i = 0; self && i < c->n_ops; i++)
    if (!site_atomic_entry(c->ops[i].site)) self = false;
  c->self = self;

  /* A function without padding changes its entry through an int3 that only the runtime can
   * write safely (unprepared.c); the engine's stop-the-world writes cannot keep it inert until
   * COMMIT. */
  for (uint32_t i = 0; i < c->n_ops; i++) {
    if (!moves_unprepared_entry(&c->ops[i])) continue;
    if (!self)
      return refuse(why, why_len, KULP_E_WRITE,
                    "%s has no padding, and this process forbids writable code (seccomp, MDWE or an LSM): "
                    "kulp cannot redirect it here; patch a build with -fpatchable-function-entry=16,14",
                    c->ops[i].site->name);
    char detail[KULP_MESSAGE_MAX];
    if (!unprepared_traps_ready(detail, sizeof detail))
      return refuse(why, why_len, KULP_E_SIGTRAP, "%s: %s", c->ops[i].site->name, detail);
    break;
  }
  return KULP_OK;
}
