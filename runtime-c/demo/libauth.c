/* libauth: the demo's library, with a real-looking bug: an empty password is accepted.
 * It is built live-patchable (-fpatchable-function-entry=16,14) and knows nothing of kulp. */
#include <string.h>

#include "libauth.h"

static const char stored[] = "s3cret";
static int failures; /* failed attempts, private to the library */

int auth_check(const char *password) {
  /* BUG (CVE-2026-4242): strncmp over the length of the *given* password, so "" matches. */
  if (strncmp(password, stored, strlen(password)) == 0) return 1;
  failures++;
  return 0;
}

int auth_failures(void) { return failures; }
