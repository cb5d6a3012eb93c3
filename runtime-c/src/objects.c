/* Finding loaded objects (libraries, the main program and patch containers) and their
 * build-ids, through the loader's own list rather than /proc, so the answer is exactly what
 * this process has mapped. */
#include <elf.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"

static const char *basename_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int prot_of(Elf64_Word flags) {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

static void describe(struct dl_phdr_info *info, struct loaded_object *o) {
  memset(o, 0, sizeof *o);
  o->base = info->dlpi_addr;
  o->name = info->dlpi_name;
  o->tls_modid = info->dlpi_tls_modid;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && o->n_exec < 4) {
      o->exec_start[o->n_exec] = info->dlpi_addr + ph->p_vaddr;
      o->exec_end[o->n_exec] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
      o->exec_prot[o->n_exec] = prot_of(ph->p_flags);
      o->n_exec++;
    }
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && o->n_data < 4) {
      o->data_start[o->n_data] = info->dlpi_addr + ph->p_vaddr;
      o->data_end[o->n_data] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
      o->n_data++;
    }
    if (ph->p_type == PT_GNU_RELRO) {
      o->relro_start = info->dlpi_addr + ph->p_vaddr;
      o->relro_end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
    }
    if (ph->p_type != PT_NOTE) continue;
    const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
    const uint8_t *end = p + ph->p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
      size_t name_sz = (n->n_namesz + 3) & ~3u, desc_sz = (n->n_descsz + 3) & ~3u;
      const uint8_t *name = p + sizeof *n, *desc = name + name_sz;
      if (desc + desc_sz > end) break;
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
          n->n_descsz > 0 && n->n_descsz <= KULP_BUILD_ID_MAX) {
        memcpy(o->build_id, desc, n->n_descsz);
        o->build_id_len = n->n_descsz;
      }
      p = desc + desc_sz;
    }
  }
}

/* The main program is the loader's object without a name (dlpi_name ""). A patch names it by
 * the executable's file name, the name the engine sees in /proc/PID/maps, which
 * /proc/self/exe gives; or by the name it was started as (AT_EXECFN: a symbolic link such as
 * /usr/bin/python3, or the only name left where /proc is not mounted). */
static bool is_main_program(struct dl_phdr_info *info) {
  return !info->dlpi_name || !*info->dlpi_name;
}

static bool main_program_named(const char *basename) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    if (!strcmp(basename_of(exe), basename)) return true;
  }
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  return execfn && !strcmp(basename_of(execfn), basename);
}

struct basename_query {
  const char *basename;
  const uint8_t *want;
  uint32_t want_len;
  struct loaded_object *out;
  int result;
};

/* DT_SONAME of a loaded object, or NULL. The loader relocates the dynamic section's
 * pointers in place on x86-64; an unrelocated one is still below the load bias. */
static const char *soname_of(struct dl_phdr_info *info) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type != PT_DYNAMIC) continue;
    const ElfW(Dyn) *dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    uintptr_t strtab = 0, soname = 0;
    bool has_soname = false;
    for (; dyn->d_tag != DT_NULL; dyn++) {
      if (dyn->d_tag == DT_STRTAB) strtab = dyn->d_un.d_ptr;
      if (dyn->d_tag == DT_SONAME) {
        soname = dyn->d_un.d_val;
        has_soname = true;
      }
    }
    if (!has_soname || !strtab) return NULL;
    if (strtab < info->dlpi_addr) strtab += info->dlpi_addr;
    return (const char *)(strtab + soname);
  }
  return NULL;
}

static int match_basename(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct basename_query *q = data;
  if (is_main_program(info)) {
    if (!main_program_named(q->basename)) return 0;
  } else {
    const char *soname = soname_of(info);
    if (strcmp(basename_of(info->dlpi_name), q->basename) && (!soname || strcmp(soname, q->basename))) return 0;
  }
  describe(info, q->out);
  if (q->out->build_id_len == 0) {
    q->result = KULP_E_NO_BUILDID;
    return 0;
  }
  if (!q->want || (q->want_len == q->out->build_id_len && !memcmp(q->want, q->out->build_id, q->want_len))) {
    q->result = KULP_OK;
    return 1; /* stop: found the exact object */
  }
  q->result = KULP_E_BUILDID_MISMATCH;
  return 0; /* keep looking: the same basename may be loaded twice (dlmopen) */
}

int object_by_basename(const char *basename, const uint8_t *want, uint32_t want_len, struct loaded_object *out) {
  struct basename_query q = {basename, want, want_len, out, KULP_E_LIB_NOT_LOADED};
  dl_iterate_phdr(match_basename, &q);
  return q.result;
}

struct base_query {
  uintptr_t base;
  struct loaded_object *out;
  bool found;
};

static int match_base(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct base_query *q = data;
  if (info->dlpi_addr != q->base) return 0;
  describe(info, q->out);
  q->found = true;
  return 1;
}

bool object_by_base(uintptr_t base, struct loaded_object *out) {
  struct base_query q = {base, out, false};
  dl_iterate_phdr(match_base, &q);
  return q.found;
}

int object_exec_prot(const struct loaded_object *o, uintptr_t start, uintptr_t end) {
  for (int i = 0; i < o->n_exec; i++)
    if (start >= o->exec_start[i] && end <= o->exec_end[i]) return o->exec_prot[i];
  return -1;
}

bool object_writable(const struct loaded_object *o, uintptr_t start, uintptr_t end) {
  if (end <= start || (start < o->relro_end && end > o->relro_start)) return false;
  for (int i = 0; i < o->n_data; i++)
    if (start >= o->data_start[i] && end <= o->data_end[i]) return true;
  return false;
}
