/* kplain_read, whose first bytes hold a system call, redirected: answers 42 at once. */
#include <sys/types.h>

ssize_t kplain_read_v2(int fd, void *buf, size_t len) {
  (void)fd, (void)buf, (void)len;
  return 42;
}
