/* Parsing the .ulp section (docs/patch-format.md). The engine validates it too, but
 * the runtime trusts nothing it did not check itself: a bad offset here would mean
 * reading out of bounds inside the target. */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

#define FORMAT_VERSION 1
#define HEADER_LEN 208
#define FUNC_LEN 24
#define REF_LEN 24
#define MAX_LABELS 32
#define MAX_STRING 1023

uint32_t ulp_crc32(const uint8_t *data, size_t len) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < len; i++) {
    crc ^= data[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

struct reader {
  const uint8_t *blob;
  size_t len;
  uint32_t strtab, strtab_len;
  char *why;
  size_t why_len;
};

#define FAIL(r, ...) (snprintf((r)->why, (r)->why_len, __VA_ARGS__), KULP_E_BAD_METADATA)

static int string_at(struct reader *r, uint32_t ref, const char *what, const char **out) {
  if (ref >= r->strtab_len) return FAIL(r, "%s: string reference %u outside the string table", what, ref);
  const char *s = (const char *)r->blob + r->strtab + ref;
  size_t room = r->strtab_len - ref;
  size_t n = strnlen(s, room < MAX_STRING + 1 ? room : MAX_STRING + 1);
  if (n == room) return FAIL(r, "%s: string not terminated", what);
  if (n > MAX_STRING) return FAIL(r, "%s: string longer than %d bytes", what, MAX_STRING);
  *out = s;
  return KULP_OK;
}

static int table(struct reader *r, uint32_t count, uint32_t max, uint32_t off, uint32_t entry, const char *what) {
  if (count > max) return FAIL(r, "%u %s, more than the limit of %u", count, what, max);
  if (count && ((uint64_t)off + (uint64_t)count * entry > r->len || off < HEADER_LEN))
    return FAIL(r, "%s table outside the section", what);
  return KULP_OK;
}

int ulp_parse(const uint8_t *blob, size_t len, struct ulp_meta *m, char *why, size_t why_len) {
  struct reader r = {.blob = blob, .len = len, .why = why, .why_len = why_len};
  int rc;
  if (len < HEADER_LEN) return FAIL(&r, "section of %zu bytes is shorter than the %d-byte header", len, HEADER_LEN);
  if (memcmp(blob, "KULP", 4)) return FAIL(&r, "bad magic (not a kulp .ulp section)");
  if (get16(blob + 4) != FORMAT_VERSION)
    return FAIL(&r, "format version %u is not supported (want %d)", get16(blob + 4), FORMAT_VERSION);
  m->kind = get16(blob + 6);
  if (m->kind != KULP_PATCH_APPLY && m->kind != KULP_PATCH_REVERT) return FAIL(&r, "unknown kind %u", m->kind);
  if (get32(blob + 8) != len) return FAIL(&r, "size field %u disagrees with the section size %zu", get32(blob + 8), len);
  if (len > KULP_METADATA_MAX) return FAIL(&r, "section larger than %d bytes", KULP_METADATA_MAX);
  uint8_t copy[HEADER_LEN];
  memcpy(copy, blob, HEADER_LEN);
  memset(copy + 12, 0, 4);
  uint32_t crc = ulp_crc32(copy, HEADER_LEN);
  /* Continue the CRC over the rest without copying it: undo the final inversion. */
  crc = ~crc;
  for (size_t i = HEADER_LEN; i < len; i++) {
    crc ^= blob[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  if (crc != get32(blob + 12)) return FAIL(&r, "CRC mismatch (the section is damaged)");
  memcpy(m->id, blob + 16, KULP_ID_LEN);
  r.strtab = get32(blob + 32);
  r.strtab_len = get32(blob + 36);
  if ((uint64_t)r.strtab + r.strtab_len > len || r.strtab < HEADER_LEN || r.strtab_len == 0)
    return FAIL(&r, "string table outside the section");
  if ((rc = string_at(&r, get32(blob + 40), "target library", &m->library))) return rc;
  if (!*m->library || strchr(m->library, '/')) return FAIL(&r, "target library must be a basename");
  m->build_id_len = blob[44];
  m->flags = blob[45];
  if (m->flags & ~(uint32_t)KULP_PATCH_CONSISTENT) return FAIL(&r, "unknown patch flags %#x", m->flags);
  if (blob[46] || blob[47]) return FAIL(&r, "reserved header bytes 46..47 are not 0");
  m->container_build_id_len = blob[112];
  if (m->build_id_len == 0 || m->build_id_len > KULP_BUILD_ID_MAX) return FAIL(&r, "bad target build-id length %u", m->build_id_len);
  if (m->container_build_id_len == 0 || m->container_build_id_len > KULP_BUILD_ID_MAX)
    return FAIL(&r, "bad container build-id length %u", m->container_build_id_len);
  memcpy(m->build_id, blob + 48, KULP_BUILD_ID_MAX);
  memcpy(m->container_build_id, blob + 120, KULP_BUILD_ID_MAX);

  m->n_funcs = get32(blob + 184);
  m->n_refs = get32(blob + 192);
  m->n_labels = get32(blob + 200);
  uint32_t funcs = get32(blob + 188), refs = get32(blob + 196), labels = get32(blob + 204);
  if ((rc = table(&r, m->n_funcs, KULP_MAX_PATCH_FUNCS, funcs, FUNC_LEN, "functions"))) return rc;
  if ((rc = table(&r, m->n_refs, KULP_MAX_PATCH_REFS, refs, REF_LEN, "references"))) return rc;
  if ((rc = table(&r, m->n_labels, MAX_LABELS, labels, 4, "labels"))) return rc;
  /* An apply section may carry references only: libpulp accepts such descriptions. */

  for (uint32_t i = 0; i < m->n_funcs; i++) {
    const uint8_t *e = blob + funcs + (size_t)i * FUNC_LEN;
    struct ulp_func *f = &m->funcs[i];
    if ((rc = string_at(&r, get32(e), "old function name", &f->old_name))) return rc;
    if ((rc = string_at(&r, get32(e + 4), "new function name", &f->new_name))) return rc;
    f->old_offset = get64(e + 8);
    f->flags = get32(e + 16);
    f->entry_crc = get32(e + 20);
    if (f->flags & ~(uint32_t)KULP_FUNC_UNPREPARED)
      return FAIL(&r, "function %s has unknown flags %#x", f->old_name, f->flags);
    if (!(f->flags & KULP_FUNC_UNPREPARED) && f->entry_crc)
      return FAIL(&r, "function %s has an entry CRC but is not marked unprepared", f->old_name);
    for (uint32_t j = 0; j < i; j++)
      if (m->funcs[j].old_offset == f->old_offset)
        return FAIL(&r, "function %s is listed twice", f->old_name);
  }
  for (uint32_t i = 0; i < m->n_refs; i++) {
    const uint8_t *e = blob + refs + (size_t)i * REF_LEN;
    struct ulp_ref *x = &m->refs[i];
    if ((rc = string_at(&r, get32(e), "reference target", &x->target_name))) return rc;
    if ((rc = string_at(&r, get32(e + 4), "reference variable", &x->patch_name))) return rc;
    x->target_offset = get64(e + 8);
    x->kind = get32(e + 16);
    x->patch_offset = get32(e + 20);
    if (x->kind != KULP_REF_DATA && x->kind != KULP_REF_TLS)
      return FAIL(&r, "reference %s has unknown kind %u", x->target_name, x->kind);
  }
  for (uint32_t i = 0; i < m->n_labels; i++)
    if ((rc = string_at(&r, get32(blob + labels + (size_t)i * 4), "label", &m->labels[i]))) return rc;
  return KULP_OK;
}
