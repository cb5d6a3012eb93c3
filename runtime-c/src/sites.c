/* Function sites: the padding layout kulp writes, and how to read a site's state.
 *
 * GCC's -fpatchable-function-entry=16,14 leaves 14 one-byte NOPs before the entry
 * and 2 at it (after endbr64 when the function starts with one). kulp turns them into
 *
 *     pad:    an absolute jump, 14 bytes:  jmp *disp(%rip) (6 bytes) + target (8 bytes)
 *     entry:  [endbr64] jmp short pad     (2 bytes)
 *
 * The pad's 8-byte target is placed at whichever end of the pad makes it naturally
 * aligned, so that later retargeting (stacking, reverting to an older patch) is a
 * single atomic store that a concurrent `jmp *` reads whole. When neither end is
 * aligned, the pad jumps to a gate instead (gates.c) and the gate's data word is
 * retargeted. */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

static struct site sites[KULP_MAX_SITES];
static int n_sites;

static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};

struct site *site_find(uintptr_t entry) {
  for (int i = 0; i < n_sites; i++)
    if (sites[i].entry == entry) return &sites[i];
  return NULL;
}

static uint16_t load16(uintptr_t at) {
  uint16_t v;
  memcpy(&v, (const void *)at, 2);
  return v;
}

enum entry_state site_entry_state(const struct site *s) {
  if (s->unprepared) return unprepared_entry_state(s);
  uint16_t v = load16(s->jmp_at);
  if (v == 0x9090) return ENTRY_PRISTINE;
  if (v == 0x9066) return ENTRY_NOP2; /* 66 90: xchg %ax,%ax, one instruction */
  if (v == site_jump_insn(s)) return ENTRY_JUMP;
  return ENTRY_FOREIGN;
}

uint16_t site_jump_insn(const struct site *s) {
  intptr_t rel = (intptr_t)(s->pad + s->jmp_in_pad) - (intptr_t)(s->jmp_at + 2);
  return (uint16_t)(0xeb | ((uint8_t)(int8_t)rel) << 8);
}

void site_pad_bytes(const struct site *s, uint64_t target, uint8_t out[PAD_LEN]) {
  /* jmp *disp32(%rip): ff 25 + disp, where disp is from the end of the 6 bytes. */
  int32_t disp = (int32_t)s->slot_in_pad - (int32_t)(s->jmp_in_pad + 6);
  uint8_t jmp[6] = {0xff, 0x25};
  memcpy(jmp + 2, &disp, 4);
  memcpy(out + s->jmp_in_pad, jmp, 6);
  memcpy(out + s->slot_in_pad, &target, 8);
}

uint64_t site_current_target(const struct site *s) {
  if (site_entry_state(s) != ENTRY_JUMP) return 0;
  if (s->unprepared) return __atomic_load_n((const uint64_t *)s->slot, __ATOMIC_ACQUIRE);
  uint64_t t = __atomic_load_n((const uint64_t *)s->slot, __ATOMIC_ACQUIRE);
  return t == s->body ? 0 : t;
}

uint64_t site_pad_target(const struct site *s, uint64_t to) {
  return s->gate >= 0 ? gate_stub(s->gate) : to;
}

/* Whether the pad must be written whole before the entry may jump to it: it is still NOPs, or an
 * engine died in the middle of writing it (a write that spans two pages can stop between them).
 * Either way no thread has ever been inside it, because the entry is made to jump only once its
 * pad is complete, so writing it whole is safe. A complete pad that was used before only ever
 * has its target changed, atomically. */
bool site_pad_needs_layout(const struct site *s) {
  if (site_entry_state(s) == ENTRY_JUMP) return false;
  uint8_t want[PAD_LEN];
  site_pad_bytes(s, site_pad_target(s, 0), want);
  const uint8_t *pad = (const uint8_t *)s->pad;
  if (memcmp(pad + s->jmp_in_pad, want + s->jmp_in_pad, 6)) return true;
  return s->gate >= 0 && memcmp(pad + s->slot_in_pad, want + s->slot_in_pad, 8);
}

/* A gate's target is data, not code: one release store retargets the function, whoever
 * writes the code (the runtime or the engine), with no thread stopped. */
void site_retarget_gate(const struct site *s, uint64_t to) {
  /* An unprepared site's gate has no original code to lead to: it keeps its last patch until
   * the entry has its own bytes back, for a thread that was already on its way to the gate. */
  if (s->unprepared) {
    if (to) __atomic_store_n((uint64_t *)s->slot, to, __ATOMIC_RELEASE);
    return;
  }
  if (s->gate >= 0) __atomic_store_n(gate_target(s->gate), to ? to : (uint64_t)s->body, __ATOMIC_RELEASE);
}

bool site_atomic_entry(const struct site *s) {
  if (s->unprepared) return true; /* its 5 bytes change through an int3, see unprepared.c */
  /* A 2-byte store is single-copy atomic on Intel and AMD when it stays inside one
   * naturally aligned quadword. */
  return (s->jmp_at & 7) != 7;
}

static bool sites_full(const char *name, char *why, size_t why_len) {
  if (n_sites < KULP_MAX_SITES) return false;
  snprintf(why, why_len, "%s: more than %d patched functions in this process", name, KULP_MAX_SITES);
  return true;
}

int site_create_unprepared(uintptr_t entry, int prot, const char *name, const uint8_t original[JUMP5_LEN],
                           struct site **out, char *why, size_t why_len) {
  if (sites_full(name, why, why_len)) return KULP_E_CAPACITY;
  struct site s = {.entry = entry, .gate = -1, .prot = prot};
  snprintf(s.name, sizeof s.name, "%s", name);
  int rc = unprepared_site_init(&s, original, why, why_len);
  if (rc) return rc;
  sites[n_sites] = s;
  *out = &sites[n_sites++];
  return KULP_OK;
}

int site_create(uintptr_t entry, int prot, bool gated, const char *name, struct site **out, char *why,
                size_t why_len) {
  if (sites_full(name, why, why_len)) return KULP_E_CAPACITY;
  struct site s = {.entry = entry, .pad = entry - PAD_LEN, .jmp_at = entry, .gate = -1, .prot = prot};
  snprintf(s.name, sizeof s.name, "%s", name);
  if (!memcmp((const void *)entry, endbr64, sizeof endbr64)) s.jmp_at += sizeof endbr64;
  s.body = s.jmp_at + 2;

  const uint8_t *pad = (const uint8_t *)s.pad;
  for (int i = 0; i < PAD_LEN; i++)
    if (pad[i] != 0x90) {
      snprintf(why, why_len, "%s at %#lx: padding byte %d before the entry is %02x, not a NOP; was the library "
               "built with -fpatchable-function-entry=16,14?", name, (unsigned long)entry, i, pad[i]);
      return KULP_E_PADDING;
    }
  uint16_t at_entry = load16(s.jmp_at);
  if (at_entry != 0x9090 && at_entry != 0x9066) {
    snprintf(why, why_len, "%s at %#lx: entry bytes are %02x %02x, not the 2 patchable NOPs", name,
             (unsigned long)entry, at_entry & 0xff, at_entry >> 8);
    return KULP_E_PADDING;
  }

  if (s.pad % 8 == 0) { /* target first, aligned; jump after it */
    s.slot_in_pad = 0;
    s.jmp_in_pad = 8;
  } else { /* jump first; its target is aligned only if the pad starts at 2 mod 8 */
    s.jmp_in_pad = 0;
    s.slot_in_pad = 6;
    gated = gated || (s.pad + 6) % 8 != 0;
  }
  if (gated) {
    s.gate = (int16_t)gate_alloc();
    if (s.gate < 0) {
      snprintf(why, why_len, "%s: all %d gates are in use", name, KULP_GATES);
      return KULP_E_CAPACITY;
    }
    s.slot = (uintptr_t)gate_target(s.gate);
    /* Until activated, a gate continues into the original code. */
    __atomic_store_n(gate_target(s.gate), (uint64_t)s.body, __ATOMIC_RELEASE);
  } else {
    s.slot = s.pad + s.slot_in_pad;
  }
  s.verified = at_entry == 0x9066;
  sites[n_sites] = s;
  *out = &sites[n_sites++];
  return KULP_OK;
}
