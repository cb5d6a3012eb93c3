/* A patch as libpulp's test suite writes one (its libaccess_livepatch1 and libtls_livepatch1):
 * the references live in `static` variables the container does not export, and the
 * description gives their offsets (#var:ref:TARGET_OFFSET:PATCH_OFFSET, from nm). The build
 * links it the way libtool does, libkfix_livepatch1.so -> libkfix_livepatch1.so.0.0.0, and
 * the description names the link. */
#include "kulp.h"

/* volatile: nothing here writes it, so without it the compiler may take it for the NULL it
 * starts as; the runtime stores the address of the library's `counter` into it. */
static int *volatile ulpr_counter;
static struct kulp_tls_ref ulpr_tls;

int kfix_counter_lp(void) {
  *ulpr_counter += 1000;
  return *ulpr_counter;
}

int kfix_tls_lp(void) {
  int *hits = KULP_TLS_ADDR(ulpr_tls);
  *hits += 1000;
  return *hits;
}
