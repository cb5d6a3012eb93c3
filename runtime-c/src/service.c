/* Serving the engine's requests: apply, revert, revert-all, and the two-phase
 * commit for changes the engine must finish.
 *
 * A change is planned first (plan.c): which patches go and come, one op per function
 * whose target changes, and who writes the code; the new container is loaded and its
 * references filled. It is then made in two steps, by one of two write modes,
 * self_write.c (the runtime writes, with atomic stores) or engine_write.c (the engine
 * writes, with every thread stopped):
 *   prepare: everything no thread can observe yet: fresh padding, the entry's two
 *            one-byte NOPs turned into one two-byte NOP;
 *   commit:  the stores that redirect calls, all in one go, after the deadline check.
 * Between the two the engine may have to act: prove that no thread sits between
 * the two old NOPs (NEED_CHECK), or make the code writes itself while every thread
 * is stopped, when this process forbids writable code (NEED_WRITES). If the engine
 * never comes back, nothing visible has changed. This file only drives the steps and
 * answers the engine. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* How long an armed change may wait for its COMMIT when the request had no deadline. */
#define ARMED_DEFAULT_NS (30ll * 1000 * 1000 * 1000)

static struct change change;
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

/* Drops a prepared change. The container stays loaded once anything was written
 * for it: a thread may already be on its way into the padding. */
static void drop_change(const char *why) {
  if (change.valid) {
    kulp_log(KULP_WARN, "prepared change dropped: %s", why);
    /* Functions without padding were armed (calls already trap into the new code): give them
     * their first byte back. Everything else a prepare writes is inert. */
    if (change.self && !change.planned) self_write_disarm(&change);
  }
  change.valid = false;
  change.planned = false;
}

static void commit(struct change *c) {
  set_phase(KULP_PHASE_COMMITTING);
  /* Checked after COMMITTING is visible: an engine that gave up at the deadline
   * either sees COMMITTING (and waits for DONE) or knows we will stop here. */
  if (req->deadline_ns && now_monotonic_ns() > req->deadline_ns) {
    drop_change("the deadline passed");
    finish(KULP_E_TIMEOUT, "request deadline passed before the change; nothing was changed");
    return;
  }
  if (c->self) {
    self_write_commit(c);
  } else {
    char why[KULP_MESSAGE_MAX];
    int rc = engine_write_commit(c, why, sizeof why);
    if (rc) {
      c->valid = false;
      finish(rc, "%s", why);
      return;
    }
  }
  patch_table_update(c->removed, c->adding ? &c->meta : NULL, c->path, c->old_addrs, c->new_addrs);
  c->valid = false;
  char id[2 * KULP_ID_LEN + 1] = "";
  if (c->adding) hex_string(c->meta.id, KULP_ID_LEN, id, sizeof id);
  switch (c->command) {
    case KULP_CMD_APPLY:
      finish(KULP_OK, "applied patch %s to %s (%u functions)", id, c->meta.library, c->meta.n_funcs);
      break;
    case KULP_CMD_REVERT_ALL_APPLY:
      finish(KULP_OK, "reverted %u patches of %s, then applied patch %s", c->n_removed, c->library, id);
      break;
    case KULP_CMD_REVERT_ALL:
      finish(KULP_OK, "reverted %u patches of %s", c->n_removed, c->library);
      break;
    default:
      finish(KULP_OK, "reverted 1 patch");
  }
}

/* Runs the first step in the change's write mode, then either waits for the engine
 * (the change stays valid until COMMIT, ABORT or any other request) or, when the
 * engine has nothing to do, commits at once. */
static void prepare(struct change *c) {
  c->planned = false;
  char why[KULP_MESSAGE_MAX];
  int rc = c->self ? self_write_prepare(c, resp, why, sizeof why) : engine_write_prepare(c, resp, why, sizeof why);
  if (rc) {
    if (c->self) self_write_disarm(c);
    finish(rc, "%s", why);
    return;
  }
  if (c->self && c->n_checks && !c->checked) {
    c->valid = true;
    /* Armed functions are not inert: if no COMMIT or ABORT comes (the engine died), the helper
     * drops the change by itself at the request's deadline (service_wait_ns). */
    c->expires_ns = req->deadline_ns ? req->deadline_ns : now_monotonic_ns() + ARMED_DEFAULT_NS;
    reply(KULP_PHASE_NEED_CHECK, "prepared; waiting for the engine to check %u addresses", c->n_checks);
    return;
  }
  if (!c->self && c->n_writes) {
    c->valid = true;
    reply(KULP_PHASE_NEED_WRITES, "prepared; this process forbids writable code, waiting for the engine to write %u places",
          c->n_writes);
    return;
  }
  commit(c);
}

/* The consistency check (KULP_REQ_CONSISTENT): the change is planned (the container loaded,
 * nothing written) and waits for a COMMIT that the engine sends only while it holds every other
 * thread stopped, none of them in or on its way back into the code listed in checks[]. */
static void hold_planned(struct change *c) {
  resp->n_checks = 0;
  for (uint32_t i = 0; i < c->n_ops && i < KULP_MAX_CHECKS; i++) {
    uint64_t current = site_current_target(c->ops[i].site);
    resp->checks[resp->n_checks++] = current ? current : c->ops[i].site->entry;
  }
  if (c->n_ops > KULP_MAX_CHECKS) {
    finish(KULP_E_CAPACITY, "the change touches %u functions; the consistency check takes at most %d", c->n_ops,
           KULP_MAX_CHECKS);
    return;
  }
  c->n_armed = 0; /* nothing armed until COMMIT: no expiry (service_wait_ns) */
  c->valid = true;
  c->planned = true;
  reply(KULP_PHASE_PLANNED, "planned; waiting for the engine's consistency check of %u functions", resp->n_checks);
}

/* COMMIT of a planned change: every other thread is held stopped by the engine, which proved
 * none runs the code to change (a superset of what NEED_CHECK asks), so the steps that wait for
 * the engine are made at once, in the usual order. Engine writes are still asked for: the
 * engine makes them within the same stop. */
static void prepare_checked(struct change *c) {
  c->checked = true;
  prepare(c);
  c->checked = false;
}

static void serve_change(uint32_t command) {
  char why[KULP_MESSAGE_MAX];
  /* Read from the request before planning loads the container (metadata.c validates the byte). */
  bool adding = command == KULP_CMD_APPLY || command == KULP_CMD_REVERT_ALL_APPLY;
  if (adding && req->metadata_len > 45 && (req->metadata[45] & KULP_PATCH_CONSISTENT) &&
      !(req->flags & KULP_REQ_CONSISTENT)) {
    finish(KULP_E_CONSISTENT, "the patch needs the consistency check (packed with --consistent), which the engine "
           "did not ask for; apply it with a kulp engine that makes it");
    return;
  }
  int rc = change_plan(&change, command, req, why, sizeof why);
  for (uint32_t p = 0; !rc && !(req->flags & KULP_REQ_CONSISTENT) && p < kulp_abi.n_patches; p++)
    if (change.removed[p] && patch_consistent(p)) {
      char id[2 * KULP_ID_LEN + 1];
      hex_string(kulp_abi.patches[p].id, KULP_ID_LEN, id, sizeof id);
      rc = KULP_E_CONSISTENT;
      snprintf(why, sizeof why, "patch %s needs the consistency check (packed with --consistent) to be reverted too",
               id);
    }
  if (rc) {
    finish(rc, "%s", why);
    /* Only now: dlclose may wait for the loader lock, and the engine was waiting for the answer. */
    if (change.unload) dlclose(change.unload);
    change.unload = NULL;
    return;
  }
  if (req->flags & KULP_REQ_CONSISTENT) hold_planned(&change);
  else prepare(&change);
}

static void handle(uint32_t seq) {
  /* WORKING before the new seq: an engine that sees its seq answered must never see the previous
   * request's DONE beside it (it would take that answer for its own and report a change that is
   * only starting). Stores are seen in order on x86-64, and the engine reads seq before phase. */
  set_phase(KULP_PHASE_WORKING);
  __atomic_store_n(&resp->seq, seq, __ATOMIC_RELEASE);
  resp->status = KULP_OK;
  resp->message[0] = '\0';
  uint32_t command = req->command;
  if (command == KULP_CMD_COMMIT) {
    if (!change.valid) finish(KULP_E_NO_PREPARED, "nothing prepared to commit");
    else if (change.planned) prepare_checked(&change);
    else commit(&change);
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
    case KULP_CMD_REVERT_ALL_APPLY: {
      /* The engine checks this from outside first; this answers an engine that did not. */
      /* Read once: `ulp set_patchable` may write it from outside at any time (one aligned word). */
      uint32_t disabled = __atomic_load_n(&kulp_abi.disabled, __ATOMIC_ACQUIRE);
      if (disabled != KULP_ENABLED) {
        finish(KULP_E_DISABLED, "live patching is disabled in this process by %s", disabled_by(disabled));
        break;
      }
      serve_change(command);
      break;
    }
    default:
      finish(KULP_E_BAD_REQUEST, "unknown command %u", command);
  }
}

/* How long the helper may sleep before it must drop an armed change whose engine never came
 * back: -1 when nothing is armed. */
int64_t service_wait_ns(void) {
  pthread_mutex_lock(&service_lock);
  int64_t left = -1;
  if (change.valid && !change.planned && change.self && change.n_armed) {
    left = change.expires_ns - now_monotonic_ns();
    if (left <= 0) {
      drop_change("no COMMIT came before the request's deadline (did the engine die?)");
      left = -1;
    }
  }
  pthread_mutex_unlock(&service_lock);
  return left;
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
  /* The child is alone: no thread can be inside the armed bytes, but its engine is the parent's. */
  drop_change("the process forked; the child does not take part in its parent's change");
  handled_seq = __atomic_load_n(&req->seq, __ATOMIC_ACQUIRE);
  resp->seq = handled_seq;
  set_phase(KULP_PHASE_IDLE);
}

void service_lock_for_fork(void) { pthread_mutex_lock(&service_lock); }
void service_unlock_for_fork(void) { pthread_mutex_unlock(&service_lock); }
