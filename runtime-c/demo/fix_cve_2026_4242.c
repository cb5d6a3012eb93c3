/* The live patch for CVE-2026-4242: compare whole strings. It keeps counting failures in
 * the library's own private counter, reached through `failures_ref`. */
#include <string.h>

int *failures_ref;

int auth_check_fixed(const char *password) {
  if (strcmp(password, "s3cret") == 0) return 1;
  (*failures_ref)++;
  return 0;
}
