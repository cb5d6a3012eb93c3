/* libpulp's switches that keep live patching out of chosen processes:
 *
 *   LIBPULP_DISABLE_ON_PATH=/opt/test-*     the executable's path matches a pattern
 *   LIBPULP_DISABLE_ON_USERS=1000:root      the real user is a UID, or its name matches a pattern
 *   LIBPULP_DISABLE_ON_GROUPS=100:wheel     the same for the real group
 *
 * An administrator sets them beside LD_PRELOAD, system-wide, for processes that must never be
 * changed. They are read once, at load, as libpulp reads them: the environment is the process's
 * own to change later, and the choice must not move under a running process. A matching process
 * keeps the runtime loaded but inert: it refuses every change, and the engine, which reads
 * kulp_abi.disabled from outside, reports the process skipped without touching it. */
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

/* Whether one of the ':'-separated patterns of `list` matches `name`, or (for `id` >= 0) is
 * that number. Each pattern is copied out, so the environment is never written to. */
static const char *matching(const char *list, const char *name, long id, char *pattern, size_t size) {
  while (*list) {
    size_t len = strcspn(list, ":");
    if (len > 0 && len < size) {
      memcpy(pattern, list, len);
      pattern[len] = '\0';
      char *end;
      long number = strtol(pattern, &end, 10);
      if ((id >= 0 && *end == '\0' && number == id) || (name && fnmatch(pattern, name, FNM_EXTMATCH) == 0)) {
        return pattern;
      }
    }
    list += len;
    if (*list == ':') list++;
  }
  return NULL;
}

const char *disabled_by(uint32_t why) {
  switch (why) {
    case KULP_DISABLED_ON_PATH: return "LIBPULP_DISABLE_ON_PATH";
    case KULP_DISABLED_ON_USERS: return "LIBPULP_DISABLE_ON_USERS";
    case KULP_DISABLED_ON_GROUPS: return "LIBPULP_DISABLE_ON_GROUPS";
    case KULP_DISABLED_BY_ULP: return "ulp set_patchable disable";
    default: return "an unknown switch";
  }
}

void disable_from_environment(void) {
  char pattern[KULP_PATH_MAX];
  const char *list = getenv("LIBPULP_DISABLE_ON_PATH");
  if (list) {
    char exe[KULP_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    if (matching(list, exe, -1, pattern, sizeof pattern)) {
      kulp_abi.disabled = KULP_DISABLED_ON_PATH;
      kulp_log(KULP_WARN, "live patching disabled by user request: LIBPULP_DISABLE_ON_PATH pattern %s matches %s",
               pattern, exe);
      return;
    }
  }
  /* getpwuid_r and getgrgid_r may consult NSS; only a process that asks for the switch pays for it. */
  char buf[4096];
  list = getenv("LIBPULP_DISABLE_ON_USERS");
  if (list) {
    struct passwd pw, *user = NULL;
    uid_t uid = getuid();
    getpwuid_r(uid, &pw, buf, sizeof buf, &user);
    if (matching(list, user ? user->pw_name : NULL, (long)uid, pattern, sizeof pattern)) {
      kulp_abi.disabled = KULP_DISABLED_ON_USERS;
      kulp_log(KULP_WARN, "live patching disabled by user request: LIBPULP_DISABLE_ON_USERS pattern %s matches uid %ld",
               pattern, (long)uid);
      return;
    }
  }
  list = getenv("LIBPULP_DISABLE_ON_GROUPS");
  if (list) {
    struct group gr, *group = NULL;
    gid_t gid = getgid();
    getgrgid_r(gid, &gr, buf, sizeof buf, &group);
    if (matching(list, group ? group->gr_name : NULL, (long)gid, pattern, sizeof pattern)) {
      kulp_abi.disabled = KULP_DISABLED_ON_GROUPS;
      kulp_log(KULP_WARN, "live patching disabled by user request: LIBPULP_DISABLE_ON_GROUPS pattern %s matches gid %ld",
               pattern, (long)gid);
    }
  }
}
