/* The exported ABI object, the error table and the message ring. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime.h"

/* Zero-initialized, so it lives in .bss: pages the process never touches cost it
 * nothing. The header is filled in by the constructor; until then the magic is 0
 * and the engine treats the runtime as not loaded yet. */
__attribute__((visibility("default"))) struct kulp_abi kulp_abi;

void abi_init(void) {
  kulp_abi.version = KULP_ABI_VERSION;
  kulp_abi.size = sizeof(struct kulp_abi);
  kulp_abi.state = KULP_STATE_LOADING;
  __atomic_store_n(&kulp_abi.magic, KULP_ABI_MAGIC, __ATOMIC_RELEASE);
}

static const struct {
  int code;
  const char *text;
} errors[] = {
#define KULP_X_TABLE(name, code, text) {code, text},
    KULP_ERRORS(KULP_X_TABLE)
#undef KULP_X_TABLE
};

__attribute__((visibility("default"))) const char *kulp_strerror(int code) {
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
    if (errors[i].code == code) return errors[i].text;
  return "unknown error";
}

int64_t now_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t now_realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The ring is written only by whoever holds the service lock (or the constructor,
 * before the helper exists), so there is one writer. A reader outside the process
 * takes a slot as valid when its seq is the one it expects for that position; the
 * seq is stored last, and cleared first while the slot is rewritten. */
void kulp_log(int level, const char *fmt, ...) {
  uint64_t seq = kulp_abi.message_head + 1;
  struct kulp_message *m = &kulp_abi.ring[(seq - 1) % KULP_RING_SIZE];
  __atomic_store_n(&m->seq, 0, __ATOMIC_RELEASE);
  m->realtime_ns = now_realtime_ns();
  m->level = (uint32_t)level;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->text, sizeof m->text, fmt, ap);
  va_end(ap);
  __atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
  __atomic_store_n(&kulp_abi.message_head, seq, __ATOMIC_RELEASE);
}

void hex_string(const uint8_t *bytes, size_t len, char *out, size_t out_len) {
  static const char digits[] = "0123456789abcdef";
  size_t o = 0;
  for (size_t i = 0; i < len && o + 2 < out_len; i++) {
    out[o++] = digits[bytes[i] >> 4];
    out[o++] = digits[bytes[i] & 15];
  }
  if (out_len) out[o < out_len ? o : out_len - 1] = '\0';
}
