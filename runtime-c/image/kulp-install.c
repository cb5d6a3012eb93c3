/*
 * kulp-install: the only program of kulp's runtime image, run by the init container the
 * runtime-injection webhook adds to a pod (docs/operations.md, "Onboarding workloads").
 *
 *   kulp-install SRC DIR [--sticky STAGING]
 *
 * Copies SRC (the runtime, /libpulp.so) into DIR (an emptyDir shared with the workload's
 * containers, which mount it read-only) under its own name: written to a temporary name, synced,
 * made read-only and renamed into place, so a container never sees half a runtime. With --sticky,
 * makes STAGING (the staging emptyDir, which the kubelet creates 0777 and owned by root) 1777, as
 * a proper /tmp: the node agent stages patches only below directories no other user may rename
 * entries of (the init container then runs as root: only a directory's owner may change its mode).
 *
 * Linked statically: the image holds nothing else, no C library, no shell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "kulp-install: %s %s: %s\n", what, path, strerror(errno));
  return 1;
}

static int copy(const char *src, const char *dir) {
  char srccopy[4096], dst[4096], tmp[4096];
  snprintf(srccopy, sizeof srccopy, "%s", src);
  const char *name = basename(srccopy);
  if (snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int)sizeof dst
      || snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= (int)sizeof tmp) {
    fprintf(stderr, "kulp-install: path too long\n");
    return 1;
  }
  int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return fail("cannot open", src);
  }
  unlink(tmp);
  int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    return fail("cannot create", tmp);
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("cannot read", src);
    }
    if (n == 0) {
      break;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail("cannot write", tmp);
      }
      done += w;
    }
  }
  if (fchmod(out, 0555) != 0 || fsync(out) != 0) {
    return fail("cannot finish", tmp);
  }
  close(out);
  close(in);
  if (rename(tmp, dst) != 0) {
    return fail("cannot rename to", dst);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--sticky") == 0)) {
    fprintf(stderr, "usage: kulp-install SRC DIR [--sticky STAGING]\n");
    return 2;
  }
  if (copy(argv[1], argv[2]) != 0) {
    return 1;
  }
  if (argc == 5 && chmod(argv[4], 01777) != 0) {
    return fail("cannot make sticky", argv[4]);
  }
  printf("kulp-install: %s/%s%s%s\n", argv[2], basename(argv[1]), argc == 5 ? ", sticky " : "",
         argc == 5 ? argv[4] : "");
  return 0;
}
