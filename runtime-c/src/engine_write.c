/* Engine-write: the engine writes the code, with every thread of the process stopped.
 *
 * Used when the process forbids writable code (a seccomp filter against
 * mprotect(PROT_WRITE|PROT_EXEC), MDWE, an LSM) or an entry store of the change would not
 * be atomic. The runtime cannot make such a write safely itself, so prepare lists every
 * write in the response (NEED_WRITES) with the bytes it must replace. The engine makes the
 * inert ones first, at any time; then, with every thread stopped and none inside
 * forbidden[], the live ones; then it posts COMMIT. A thread stopped inside a live write's
 * bytes would resume in the middle of a new instruction, hence forbidden[].
 *
 * Sites that change_plan creates for this mode are gated: after their first patch,
 * stacking or reverting them is a store to the gate's data word, which commit makes here
 * with no code write and no thread stopped. */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* Queues a write for the engine; false when the queue is full (the change is then refused
 * before anything visible was written). */
static bool queue_write(struct change *c, uintptr_t addr, const void *bytes, uint32_t len, bool live) {
  if (c->n_writes == KULP_MAX_WRITES) return false;
  struct kulp_write *w = &c->writes[c->n_writes++];
  memset(w, 0, sizeof *w);
  w->addr = addr;
  w->len = len;
  w->live = live;
  memcpy(w->bytes, bytes, len);
  memcpy(w->expect, (const void *)addr, len);
  return true;
}

/* Lists the code writes the change needs in resp->writes and, for the live ones, the
 * ranges no stopped thread may be in. Writes nothing itself. */
int engine_write_prepare(struct change *c, struct kulp_response *resp, char *why, size_t why_len) {
  c->n_writes = 0;
  for (uint32_t i = 0; i < c->n_ops; i++) {
    struct site *s = c->ops[i].site;
    uint64_t to = c->ops[i].to;
    bool activating = to && site_entry_state(s) != ENTRY_JUMP;
    uint16_t insn;
    bool queued = true;
    if (activating) {
      if (site_pad_needs_layout(s)) {
        /* No thread can be in a pad the entry does not jump to yet: inert. */
        uint8_t pad[PAD_LEN];
        site_pad_bytes(s, site_pad_target(s, to), pad);
        queued = queue_write(c, s->pad, pad, PAD_LEN, false);
      } else if (s->gate < 0) {
        queued = queue_write(c, s->slot, &to, 8, true);
      }
      insn = site_jump_insn(s);
      queued = queued && queue_write(c, s->jmp_at, &insn, 2, true);
    } else if (s->gate < 0 && to) {
      queued = queue_write(c, s->slot, &to, 8, true);
    } else if (s->gate < 0) {
      insn = 0x9066;
      queued = queue_write(c, s->jmp_at, &insn, 2, true);
    } /* else a gated site that already jumps: only its gate's data word changes, at commit */
    if (!queued) {
      snprintf(why, why_len,
               "this change needs more than %d code writes in a process that forbids writable code; "
               "make it in smaller steps (fewer patches at once)",
               KULP_MAX_WRITES);
      return KULP_E_CAPACITY;
    }
  }
  memcpy(resp->writes, c->writes, c->n_writes * sizeof c->writes[0]);
  resp->n_writes = c->n_writes;
  uint32_t n_forbidden = 0;
  for (uint32_t i = 0; i < c->n_writes; i++) {
    const struct kulp_write *w = &c->writes[i];
    if (w->live) resp->forbidden[n_forbidden++] = (struct kulp_range){w->addr + 1, w->addr + w->len};
  }
  resp->n_forbidden = n_forbidden;
  return KULP_OK;
}

/* Checks that every write the engine was asked for landed, then retargets the gates.
 * Engine writes were made with every thread stopped; each resumes through the kernel,
 * which serializes it, so no barrier is needed here (and making one would be a system
 * call the engine did not vet against the process's seccomp filter). */
int engine_write_commit(struct change *c, char *why, size_t why_len) {
  for (uint32_t i = 0; i < c->n_writes; i++)
    if (memcmp((const void *)c->writes[i].addr, c->writes[i].bytes, c->writes[i].len)) {
      snprintf(why, why_len, "the engine's write at %#lx did not land; nothing was changed",
               (unsigned long)c->writes[i].addr);
      return KULP_E_WRITE;
    }
  for (uint32_t i = 0; i < c->n_ops; i++) site_retarget_gate(c->ops[i].site, c->ops[i].to);
  return KULP_OK;
}
