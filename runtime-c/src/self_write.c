/* Self-write: the runtime writes the code itself while the other threads keep running.
 *
 * Used when the engine found that the process lets it make code writable
 * (KULP_REQ_SELF_WRITE) and every entry store of the change is single-copy atomic
 * (change_plan decides). No thread is ever stopped: each store that a running thread
 * may fetch (the 2-byte entry, the pad's 8-byte target) replaces one valid instruction
 * or target by another (codewrite.c).
 *
 * The one unsafe moment is the first activation of a function. Its entry holds two
 * one-byte NOPs (90 90) and a thread may be between them; storing a 2-byte jump there
 * would let that thread run the jump's second byte as an instruction. So prepare
 * merges the two NOPs into one (66 90: a single byte changes), and the entry becomes
 * a jump only in commit, after the engine has proven that no thread's instruction
 * pointer is at the second byte (NEED_CHECK). Until then everything written is inert:
 * a merged NOP still runs as a NOP, and nothing jumps into the new pad yet. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* Adds addr to the addresses the engine must find no thread at; false when they are full. */
static bool need_check(struct kulp_response *resp, struct change *c, uintptr_t addr) {
  if (c->n_checks == KULP_MAX_CHECKS) return false;
  resp->checks[c->n_checks++] = addr;
  resp->n_checks = c->n_checks;
  return true;
}

/* Writes, for each function this change activates, its pad and the merged NOP, and lists in
 * resp->checks the entries whose NOPs were never proven free of threads; arms each function
 * without padding with an int3 and lists the addresses strictly inside its 5 bytes. */
int self_write_prepare(struct change *c, struct kulp_response *resp, char *why, size_t why_len) {
  c->n_verify = c->n_armed = c->n_checks = 0;
  for (uint32_t i = 0; i < c->n_ops; i++) {
    struct site *s = c->ops[i].site;
    uint64_t to = c->ops[i].to;
    enum entry_state entry = site_entry_state(s);
    /* Retargeting a site that already jumps, or sending it back to its original code,
     * is one atomic store that commit makes. */
    if (!to || entry == ENTRY_JUMP) continue;
    if (s->unprepared) {
      /* Calls start to trap into the new function now; commit makes the jump. */
      int rc = unprepared_arm(s, to, why, why_len);
      if (rc) return rc;
      c->armed[c->n_armed++] = s;
      for (uintptr_t at = s->jmp_at + 1; at < s->jmp_at + JUMP5_LEN; at++)
        if (!need_check(resp, c, at)) goto too_many;
      continue;
    }
    if (!code_open(s->pad, s->body)) {
      /* Only inert bytes can have been written so far. */
      snprintf(why, why_len, "cannot make the code writable (%s); retry with engine writes", strerror(errno));
      return KULP_E_WRITE;
    }
    if (site_pad_needs_layout(s)) {
      uint8_t pad[PAD_LEN];
      site_pad_bytes(s, site_pad_target(s, to), pad);
      memcpy((void *)s->pad, pad, PAD_LEN);
    } else if (s->gate < 0) {
      /* A pad used before: only its target changes, atomically (a thread that
       * jumped in just before an earlier revert may still be reading it). */
      code_store8(s->slot, to);
    }
    if (entry == ENTRY_PRISTINE) {
      /* 90 90 -> 66 90: one byte, so atomic; a thread between the NOPs still
       * finds a NOP at entry+1. */
      *(volatile uint8_t *)s->jmp_at = 0x66;
    }
    code_close(s->pad, s->body, s->prot);
    if (!s->verified) {
      /* Also when an earlier attempt merged the NOPs but its check never passed. Only the
       * new patch's functions (at most KULP_MAX_PATCH_FUNCS) are ever activated here. */
      if (!need_check(resp, c, s->jmp_at + 1)) goto too_many;
      c->to_verify[c->n_verify++] = s;
    }
  }
  /* The int3s must be seen by every core before the engine looks for threads inside the bytes
   * they guard. */
  if (c->n_armed) code_sync_all_cores();
  return KULP_OK;
too_many:
  snprintf(why, why_len, "more than %d addresses to check at once; apply fewer functions at a time",
           KULP_MAX_CHECKS);
  return KULP_E_CAPACITY;
}

void self_write_disarm(struct change *c) {
  for (uint32_t i = 0; i < c->n_armed; i++) unprepared_disarm(c->armed[i]);
  c->n_armed = 0;
}

/* Redirects every function of the change, one atomic store each, then makes every core
 * serialize before it runs this code again. */
void self_write_commit(struct change *c) {
  for (uint32_t i = 0; i < c->n_ops; i++) {
    struct site *s = c->ops[i].site;
    uint64_t to = c->ops[i].to;
    site_retarget_gate(s, to);
    if (s->unprepared) continue; /* after this loop */
    bool activate = to && site_entry_state(s) != ENTRY_JUMP;
    if (!activate && s->gate >= 0) continue; /* data only */
    if (!code_open(s->pad, s->body)) {
      /* The probe in change_plan() opened these same pages moments ago; each switch is
       * complete on its own, so the sites already done stay consistent. */
      kulp_log(KULP_ERROR, "%s: code became unwritable during commit: %s", s->name, strerror(errno));
      continue;
    }
    if (activate) code_store2(s->jmp_at, site_jump_insn(s));
    else if (to) code_store8(s->slot, to);
    else code_store2(s->jmp_at, 0x9066);
    code_close(s->pad, s->body, s->prot);
  }
  /* Another core may hold the old instructions already decoded: membarrier(SYNC_CORE)
   * makes each serialize before it returns to user code, as JITs do. */
  code_sync_all_cores();
  unprepared_commit(c->ops, c->n_ops);
  c->n_armed = 0;
  /* The engine's check passed: no thread can be between these entries' old NOPs any more,
   * so activating them again after a revert needs no check. */
  for (uint32_t i = 0; i < c->n_verify; i++) c->to_verify[i]->verified = true;
}
