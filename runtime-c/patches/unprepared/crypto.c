/* Two functions of the system's libcrypto.so.3: a plain one, and CRYPTO_memcmp, assembly that
 * starts with endbr64. The new CRYPTO_memcmp answers 2 where the original answers 1. */
#include <stddef.h>

unsigned long openssl_version_num_v2(void) { return 0x40000000ul; }

int crypto_memcmp_v2(const void *a, const void *b, size_t len) {
  const volatile unsigned char *x = a, *y = b;
  unsigned char d = 0;
  for (size_t i = 0; i < len; i++) d |= x[i] ^ y[i];
  return d ? 2 : 0;
}
