/* Reaches the library's `static __thread int tls_hits` (#%tls_hits:kfix_tls_ref). */
#include "kulp.h"
struct kulp_tls_ref kfix_tls_ref;
int kfix_tls_v2(void) {
  int *hits = KULP_TLS_ADDR(kfix_tls_ref);
  *hits += 1000;
  return *hits;
}
