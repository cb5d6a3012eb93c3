/* Applied patches and the stacks of functions they form.
 *
 * The table in kulp_abi.patches/funcs is the truth about what is applied; a function
 * runs the newest applied patch that replaces it (highest `order`). Readers outside
 * the process use kulp_abi.generation as a seqlock: odd while we change the table. */
#include <string.h>

#include "runtime.h"

static uint64_t next_order = 1;

static void table_begin(void) {
  __atomic_store_n(&kulp_abi.generation, kulp_abi.generation + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void table_end(void) {
  __atomic_store_n(&kulp_abi.generation, kulp_abi.generation + 1, __ATOMIC_RELEASE);
}

int patch_find(const uint8_t id[KULP_ID_LEN]) {
  for (uint32_t i = 0; i < kulp_abi.n_patches; i++)
    if (!memcmp(kulp_abi.patches[i].id, id, KULP_ID_LEN)) return (int)i;
  return -1;
}

/* The function a call to `addr` should reach once the patches in `removed` are gone
 * and, if add_addrs is given, a new newest patch replacing add_old[i] with
 * add_new[i] is applied. 0 means the original code. */
uint64_t patch_top(uint64_t addr, const bool *removed, uint32_t n_add, const uint64_t *add_old,
                   const uint64_t *add_new) {
  for (uint32_t i = 0; i < n_add; i++)
    if (add_old[i] == addr) return add_new[i];
  uint64_t best = 0, best_order = 0;
  for (uint32_t i = 0; i < kulp_abi.n_funcs; i++) {
    const struct kulp_func_record *f = &kulp_abi.funcs[i];
    if (f->old_addr != addr || (removed && removed[f->patch])) continue;
    uint64_t order = kulp_abi.patches[f->patch].order;
    if (order > best_order) {
      best_order = order;
      best = f->new_addr;
    }
  }
  return best;
}

/* KULP_PATCH_CONSISTENT of each applied patch, beside kulp_abi.patches (not in the ABI: only
 * the runtime needs it, to refuse reverting such a patch without the check). */
static bool consistent[KULP_MAX_PATCHES];

bool patch_consistent(uint32_t p) { return p < kulp_abi.n_patches && consistent[p]; }

static void remove_patch(uint32_t p) {
  struct kulp_patch_record *rec = &kulp_abi.patches[p];
  uint32_t first = rec->first_func, n = rec->n_funcs;
  memmove(&kulp_abi.funcs[first], &kulp_abi.funcs[first + n],
          (kulp_abi.n_funcs - first - n) * sizeof kulp_abi.funcs[0]);
  kulp_abi.n_funcs -= n;
  memmove(&kulp_abi.patches[p], &kulp_abi.patches[p + 1],
          (kulp_abi.n_patches - p - 1) * sizeof kulp_abi.patches[0]);
  memmove(&consistent[p], &consistent[p + 1], (kulp_abi.n_patches - p - 1) * sizeof consistent[0]);
  kulp_abi.n_patches--;
  for (uint32_t i = p; i < kulp_abi.n_patches; i++) kulp_abi.patches[i].first_func -= n;
  for (uint32_t i = 0; i < kulp_abi.n_funcs; i++)
    if (kulp_abi.funcs[i].patch > p) kulp_abi.funcs[i].patch--;
}

static void copy_name(char *dst, size_t len, const char *src) {
  size_t n = strnlen(src, len - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Commits a change to the table: drops the patches flagged in `removed`, then adds
 * `add` (if not NULL) as the newest. Capacity was checked when planning. */
void patch_table_update(const bool *removed, const struct ulp_meta *add, const char *path,
                        const uint64_t *old_addrs, const uint64_t *new_addrs) {
  table_begin();
  for (uint32_t p = kulp_abi.n_patches; p-- > 0;)
    if (removed[p]) remove_patch(p);
  if (add) {
    struct kulp_patch_record *rec = &kulp_abi.patches[kulp_abi.n_patches];
    memset(rec, 0, sizeof *rec);
    memcpy(rec->id, add->id, KULP_ID_LEN);
    rec->first_func = kulp_abi.n_funcs;
    rec->n_funcs = add->n_funcs;
    rec->applied_realtime_ns = now_realtime_ns();
    rec->order = next_order++;
    consistent[kulp_abi.n_patches] = add->flags & KULP_PATCH_CONSISTENT;
    copy_name(rec->library, sizeof rec->library, add->library);
    copy_name(rec->path, sizeof rec->path, path);
    size_t used = 0;
    for (uint32_t i = 0; i < add->n_labels; i++) {
      size_t n = strlen(add->labels[i]);
      if (used + n + 2 > sizeof rec->labels) break;
      if (used) rec->labels[used++] = '\n';
      memcpy(rec->labels + used, add->labels[i], n);
      used += n;
    }
    for (uint32_t i = 0; i < add->n_funcs; i++) {
      struct kulp_func_record *f = &kulp_abi.funcs[kulp_abi.n_funcs + i];
      memset(f, 0, sizeof *f);
      f->old_addr = old_addrs[i];
      f->new_addr = new_addrs[i];
      f->patch = kulp_abi.n_patches;
      copy_name(f->old_name, sizeof f->old_name, add->funcs[i].old_name);
      copy_name(f->new_name, sizeof f->new_name, add->funcs[i].new_name);
    }
    kulp_abi.n_funcs += add->n_funcs;
    kulp_abi.n_patches++;
  }
  /* `active` is true for the pair of the newest patch on each function. */
  for (uint32_t i = 0; i < kulp_abi.n_funcs; i++) {
    struct kulp_func_record *f = &kulp_abi.funcs[i];
    uint64_t order = kulp_abi.patches[f->patch].order;
    f->active = 1;
    for (uint32_t j = 0; j < kulp_abi.n_funcs; j++)
      if (kulp_abi.funcs[j].old_addr == f->old_addr && kulp_abi.patches[kulp_abi.funcs[j].patch].order > order)
        f->active = 0;
  }
  table_end();
}
