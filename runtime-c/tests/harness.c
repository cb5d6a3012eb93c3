#include "harness.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint32_t harness_flags = KULP_REQ_SELF_WRITE;
int failures;

struct section read_section(const char *path, const char *name) {
  struct section out = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) return out;
  struct stat st;
  fstat(fd, &st);
  uint8_t *file = malloc((size_t)st.st_size);
  if (read(fd, file, (size_t)st.st_size) != st.st_size) goto done;
  Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
  Elf64_Shdr *sh = (Elf64_Shdr *)(file + eh->e_shoff);
  const char *names = (const char *)file + sh[eh->e_shstrndx].sh_offset;
  for (int i = 0; i < eh->e_shnum; i++)
    if (!strcmp(names + sh[i].sh_name, name)) {
      out.len = sh[i].sh_size;
      out.data = malloc(out.len);
      memcpy(out.data, file + sh[i].sh_offset, out.len);
    }
done:
  free(file);
  close(fd);
  return out;
}

uint32_t crc32_ieee(const uint8_t *data, size_t len) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < len; i++) {
    crc ^= data[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static struct kulp_request *const req = &kulp_abi.mailbox.request;
static struct kulp_response *const resp = &kulp_abi.mailbox.response;

/* The engine's side of NEED_WRITES, in-process: /proc/self/mem ignores page
 * protections, as /proc/PID/mem does for the real engine. */
static void engine_writes(void) {
  int fd = open("/proc/self/mem", O_RDWR);
  for (uint32_t i = 0; i < resp->n_writes; i++) {
    const struct kulp_write *w = &resp->writes[i];
    if (memcmp((const void *)w->addr, w->expect, w->len)) {
      fprintf(stderr, "# engine: unexpected bytes at %#lx\n", (unsigned long)w->addr);
      continue;
    }
    if (pwrite(fd, w->bytes, w->len, (off_t)w->addr) != (ssize_t)w->len) perror("# pwrite /proc/self/mem");
  }
  close(fd);
}

static void post(uint32_t command) {
  req->command = command;
  req->flags = harness_flags;
  __atomic_store_n(&req->seq, req->seq + 1, __ATOMIC_RELEASE);
}

static struct result run(uint32_t command) {
  struct result r = {0};
  post(command);
  kulp_service();
  for (int round = 0; round < 4; round++) {
    uint32_t phase = __atomic_load_n(&resp->phase, __ATOMIC_ACQUIRE);
    if (phase == KULP_PHASE_PLANNED) {
      /* the engine's part: every other thread stopped, their stacks proved clear of this code */
      for (uint32_t i = 0; i < resp->n_checks && r.planned < 4; i++) r.planned_code[r.planned++] = resp->checks[i];
    } else if (phase == KULP_PHASE_NEED_CHECK) {
      r.checks += resp->n_checks;
    } else if (phase == KULP_PHASE_NEED_WRITES) {
      r.writes += resp->n_writes;
      engine_writes();
    } else {
      break;
    }
    post(KULP_CMD_COMMIT); /* same deadline: it bounds the whole operation */
    kulp_service();
  }
  r.status = resp->status;
  snprintf(r.message, sizeof r.message, "%s", resp->message);
  if (resp->phase != KULP_PHASE_DONE) r.status = -1;
  return r;
}

static void container_path(const char *dir, const char *name, char *out, size_t len) {
  snprintf(out, len, "%s/%s.so", dir, name);
  char *real = realpath(out, NULL);
  if (real) {
    snprintf(out, len, "%s", real);
    free(real);
  }
}

struct result apply_blob(const char *container, const uint8_t *blob, size_t len) {
  req->deadline_ns = 0;
  snprintf(req->path, sizeof req->path, "%s", container);
  memcpy(req->metadata, blob, len);
  req->metadata_len = (uint32_t)len;
  return run(KULP_CMD_APPLY);
}

static int load_ulp(const char *dir, const char *name, const char *section, char *path, size_t path_len) {
  container_path(dir, name, path, path_len);
  struct section s = read_section(path, section);
  if (!s.data) {
    fprintf(stderr, "# %s has no %s section (was it packed?)\n", path, section);
    return -1;
  }
  memcpy(req->metadata, s.data, s.len);
  req->metadata_len = (uint32_t)s.len;
  snprintf(req->path, sizeof req->path, "%s", path);
  free(s.data);
  return 0;
}

struct result apply(const char *dir, const char *name) {
  char path[KULP_PATH_MAX];
  struct result fail = {.status = -1};
  req->deadline_ns = 0;
  if (load_ulp(dir, name, ".ulp", path, sizeof path)) return fail;
  return run(KULP_CMD_APPLY);
}

struct result request_with_deadline(const char *dir, const char *name, int64_t deadline_ns) {
  char path[KULP_PATH_MAX];
  struct result fail = {.status = -1};
  if (load_ulp(dir, name, ".ulp", path, sizeof path)) return fail;
  req->deadline_ns = deadline_ns;
  return run(KULP_CMD_APPLY);
}

/* Posts an apply of name.so and lets the runtime serve it up to its first answer; false if the
 * container cannot be read. */
static bool start_apply(const char *dir, const char *name) {
  char path[KULP_PATH_MAX];
  if (load_ulp(dir, name, ".ulp", path, sizeof path)) return false;
  req->deadline_ns = 0;
  post(KULP_CMD_APPLY);
  kulp_service();
  return true;
}

struct result apply_then_abort(const char *dir, const char *name) {
  struct result r = {.status = -1};
  if (!start_apply(dir, name)) return r;
  r.checks = resp->phase == KULP_PHASE_NEED_CHECK ? resp->n_checks : 0;
  post(KULP_CMD_ABORT);
  kulp_service();
  r.status = resp->status;
  snprintf(r.message, sizeof r.message, "%s", resp->message);
  return r;
}

struct result apply_planned_then_abort(const char *dir, const char *name) {
  struct result r = {.status = -1};
  if (!start_apply(dir, name) || resp->phase != KULP_PHASE_PLANNED) return r;
  r.planned = resp->n_checks;
  post(KULP_CMD_ABORT);
  kulp_service();
  r.status = resp->status;
  snprintf(r.message, sizeof r.message, "%s", resp->message);
  return r;
}

struct result apply_with_torn_write(const char *dir, const char *name, uint32_t torn_len) {
  struct result r = {.status = -1};
  if (!start_apply(dir, name) || resp->phase != KULP_PHASE_NEED_WRITES) return r;
  r.writes = resp->n_writes;
  for (uint32_t i = 0; i < resp->n_writes; i++) {
    const struct kulp_write *w = &resp->writes[i];
    if (w->live) continue;
    int fd = open("/proc/self/mem", O_RDWR);
    if (pwrite(fd, w->bytes, torn_len < w->len ? torn_len : w->len, (off_t)w->addr) < 0) perror("# pwrite");
    close(fd);
    r.status = KULP_OK;
    break; /* the engine dies here: no other write, no commit */
  }
  return r;
}

struct result revert(const char *dir, const char *name) {
  char path[KULP_PATH_MAX];
  struct result fail = {.status = -1};
  container_path(dir, name, path, sizeof path);
  struct section s = read_section(path, ".ulp.rev");
  if (!s.data) return fail;
  memcpy(req->patch_id, s.data + 16, KULP_ID_LEN); /* docs/patch-format.md: id at offset 16 */
  free(s.data);
  req->deadline_ns = 0;
  return run(KULP_CMD_REVERT);
}

struct result revert_all(const char *library) {
  snprintf(req->library, sizeof req->library, "%s", library);
  req->deadline_ns = 0;
  return run(KULP_CMD_REVERT_ALL);
}

struct result revert_all_apply(const char *library, const char *dir, const char *name) {
  char path[KULP_PATH_MAX];
  struct result fail = {.status = -1};
  if (load_ulp(dir, name, ".ulp", path, sizeof path)) return fail;
  snprintf(req->library, sizeof req->library, "%s", library);
  req->deadline_ns = 0;
  return run(KULP_CMD_REVERT_ALL_APPLY);
}

struct result apply_via_helper(const char *dir, const char *name) {
  char path[KULP_PATH_MAX];
  struct result r = {.status = -1};
  if (load_ulp(dir, name, ".ulp", path, sizeof path)) return r;
  req->deadline_ns = 0;
  post(KULP_CMD_APPLY);
  syscall(SYS_futex, &req->seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  for (int round = 0; round < 5;) {
    uint32_t phase = __atomic_load_n(&resp->phase, __ATOMIC_ACQUIRE);
    if (resp->seq == req->seq && phase == KULP_PHASE_DONE) break;
    if (resp->seq == req->seq && (phase == KULP_PHASE_NEED_CHECK || phase == KULP_PHASE_NEED_WRITES)) {
      if (phase == KULP_PHASE_NEED_WRITES) engine_writes();
      post(KULP_CMD_COMMIT);
      syscall(SYS_futex, &req->seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
      round++;
    }
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  r.status = resp->status;
  snprintf(r.message, sizeof r.message, "%s", resp->message);
  return r;
}

void check(bool ok, const char *what, ...) {
  va_list ap;
  va_start(ap, what);
  if (!ok) {
    failures++;
    printf("#   FAILED: ");
    vprintf(what, ap);
    printf("\n");
  }
  va_end(ap);
}

struct result apply_left_waiting(const char *dir, const char *name, int64_t deadline_ns) {
  char path[KULP_PATH_MAX];
  struct result r = {.status = -1};
  if (load_ulp(dir, name, ".ulp", path, sizeof path)) return r;
  req->deadline_ns = deadline_ns;
  post(KULP_CMD_APPLY);
  syscall(SYS_futex, &req->seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  for (int i = 0; i < 20000; i++) {
    uint32_t phase = __atomic_load_n(&resp->phase, __ATOMIC_ACQUIRE);
    if (resp->seq == req->seq && (phase == KULP_PHASE_DONE || phase == KULP_PHASE_NEED_CHECK)) {
      r.status = resp->status;
      r.checks = phase == KULP_PHASE_NEED_CHECK ? resp->n_checks : 0;
      snprintf(r.message, sizeof r.message, "%s", resp->message);
      return r;
    }
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  return r;
}
