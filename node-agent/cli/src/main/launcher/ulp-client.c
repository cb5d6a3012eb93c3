/*
 * ulp-client: hands one `ulp` command to kulp's resident engine (io.kulp.cli.UlpDaemon), so that
 * the command pays neither a JVM's start nor a cold engine. The `ulp` launcher runs it for the
 * verbs that work on processes:
 *
 *   ulp-client BUILD LAUNCHER ARGS...
 *
 * BUILD names the build of the jars (a daemon of another build is never used), LAUNCHER is the
 * `ulp` launcher itself. The client connects to the daemon's socket, starting the daemon first
 * if there is none, sends its identity, PID, working directory, arguments and environment, and
 * copies the daemon's frames to its standard output and error until the exit status arrives.
 *
 * Whenever the daemon cannot take the command (none can be started, another identity, a verb it
 * does not serve, too many commands at once), the client runs the launcher with ULP_DAEMON=off
 * instead: the command then runs in a JVM of its own, exactly as without a daemon. Once the
 * daemon has taken a command, that command runs to its end even if this client is killed.
 *
 * Security: the socket lies in a directory of mode 0700 owned by the user (/run/kulp for root,
 * $XDG_RUNTIME_DIR/kulp otherwise, or $ULP_DAEMON_DIR); the client refuses any other, and the
 * daemon checks the peer's credentials and identity again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* How long a daemon may take to start: a JVM under load. Past it, the command runs on its own. */
#define START_TIMEOUT_MS 15000
/* How long a running daemon may take to take a command (it answers within microseconds). */
#define ACCEPT_TIMEOUT_MS 15000
/* The largest frame a daemon sends; anything larger means a broken daemon. */
#define MAX_FRAME (64u << 20)

static const char *launcher;
static int nargs;
static char **args;

/* Runs the command in a JVM of its own: the launcher, told not to come back here. */
static void run_on_its_own(void) {
  char **argv = calloc((size_t)nargs + 2, sizeof *argv);
  if (argv == NULL) {
    perror("ulp");
    exit(1);
  }
  argv[0] = "ulp";
  for (int i = 0; i < nargs; i++) argv[i + 1] = args[i];
  setenv("ULP_DAEMON", "off", 1);
  execv(launcher, argv);
  fprintf(stderr, "ulp: cannot run %s: %s\n", launcher, strerror(errno));
  exit(126);
}

/* The directory of the daemon's socket, created if missing; NULL if there is none this client may trust. */
static const char *socket_dir(char *buf, size_t size) {
  const char *dir = getenv("ULP_DAEMON_DIR");
  if (dir == NULL || *dir == '\0') {
    if (geteuid() == 0) {
      dir = "/run/kulp";
    } else {
      const char *runtime = getenv("XDG_RUNTIME_DIR");
      if (runtime == NULL || *runtime != '/') return NULL;
      if ((size_t)snprintf(buf, size, "%s/kulp", runtime) >= size) return NULL;
      dir = buf;
    }
  }
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) return NULL;
  struct stat st;
  /* Only a directory of this user that nobody else can write to or enter. */
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
    return NULL;
  }
  return dir;
}

/* FNV-1a: names one installation of the launcher in the socket's name. */
static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3u;
  return h;
}

static int connect_to(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

/*
 * Starts the daemon, detached (its own session, "/" as its directory so that it holds no mount,
 * stderr to SOCKET.log), and waits until it listens: it writes one byte to the pipe handed down
 * as ULP_DAEMON_READY_FD, and the pipe ends without one if it dies first.
 */
static void start_daemon(const char *socket_path) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return;
  pid_t child = fork();
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    if (chdir("/") != 0) _exit(127);
    char log[PATH_MAX + 8]; /* the socket path is far shorter (sun_path) */
    int null = open("/dev/null", O_RDWR);
    snprintf(log, sizeof log, "%s.log", socket_path);
    int err = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err >= 0 ? err : null, 2) < 0) _exit(127);
    if (dup2(ready[1], 3) < 0) _exit(127); /* without O_CLOEXEC: it survives the exec */
    char fd[8];
    snprintf(fd, sizeof fd, "%d", 3);
    setenv("ULP_DAEMON", "serve", 1);
    setenv("ULP_DAEMON_SOCKET", socket_path, 1);
    setenv("ULP_DAEMON_READY_FD", fd, 1);
    execl(launcher, "ulp", (char *)NULL);
    _exit(127);
  }
  close(ready[1]);
  if (child > 0) {
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    struct pollfd p = {.fd = ready[0], .events = POLLIN};
    char byte;
    if (poll(&p, 1, START_TIMEOUT_MS) > 0) {
      while (read(ready[0], &byte, 1) < 0 && errno == EINTR) {
      }
    }
  }
  close(ready[0]);
}

/* Appends a NUL-terminated string to the request. */
static int put(char **buf, size_t *len, size_t *cap, const char *s) {
  size_t n = strlen(s) + 1;
  if (*len + n > *cap) {
    size_t want = (*cap ? *cap : 4096);
    while (want < *len + n) want *= 2;
    char *grown = realloc(*buf, want);
    if (grown == NULL) return -1;
    *buf = grown;
    *cap = want;
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  return 0;
}

/* The text of a /proc/self/status field ("CapEff:"), or "" if absent. */
static void status_field(const char *name, char *out, size_t size) {
  out[0] = '\0';
  FILE *f = fopen("/proc/self/status", "re");
  if (f == NULL) return;
  char line[256];
  size_t n = strlen(name);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, name, n) == 0) {
      char *v = line + n;
      v += strspn(v, " \t");
      v[strcspn(v, " \t\n")] = '\0';
      snprintf(out, size, "%s", v);
      break;
    }
  }
  fclose(f);
}

static void namespace(const char *kind, char *out, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/ns/%s", kind);
  ssize_t n = readlink(path, out, size - 1);
  out[n > 0 ? n : 0] = '\0';
}

/* The LSM's label (AppArmor profile, SELinux context) up to a NUL or newline; empty without one. */
static void security_context(char *out, size_t size) {
  out[0] = '\0';
  int fd = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, out, size - 1);
  close(fd);
  out[n > 0 ? n : 0] = '\0';
  out[strcspn(out, "\n")] = '\0';
}

/* What io.kulp.cli.ProcessIdentity builds: the daemon runs commands of its own identity only. */
static void identity(char *out, size_t size) {
  char cap[64], nnp[16], seccomp[16], lsm[256], mnt[64], pid[64], user[64];
  status_field("CapEff:", cap, sizeof cap);
  status_field("NoNewPrivs:", nnp, sizeof nnp);
  status_field("Seccomp:", seccomp, sizeof seccomp);
  security_context(lsm, sizeof lsm);
  namespace("mnt", mnt, sizeof mnt);
  namespace("pid", pid, sizeof pid);
  namespace("user", user, sizeof user);
  snprintf(out, size, "uid=%u gid=%u cap=%s nnp=%s seccomp=%s lsm=%s mnt=%s pid=%s user=%s", (unsigned)geteuid(),
           (unsigned)getegid(), cap, nnp, seccomp, lsm, mnt, pid, user);
}

static int send_request(int fd) {
  char *buf = NULL;
  size_t len = 4, cap = 0;
  char cwd[PATH_MAX], ident[1024], num[32], ttys[4];
  if (getcwd(cwd, sizeof cwd) == NULL) return -1;
  identity(ident, sizeof ident);
  for (int i = 0; i < 3; i++) ttys[i] = isatty(i) ? '1' : '0';
  ttys[3] = '\0';
  if (put(&buf, &len, &cap, "1") || put(&buf, &len, &cap, ident)) goto fail;
  snprintf(num, sizeof num, "%ld", (long)getpid());
  if (put(&buf, &len, &cap, num) || put(&buf, &len, &cap, cwd) || put(&buf, &len, &cap, ttys)) goto fail;
  snprintf(num, sizeof num, "%d", nargs);
  if (put(&buf, &len, &cap, num)) goto fail;
  for (int i = 0; i < nargs; i++) {
    if (put(&buf, &len, &cap, args[i])) goto fail;
  }
  for (char **e = environ; *e; e++) {
    if (put(&buf, &len, &cap, *e)) goto fail;
  }
  uint32_t body = (uint32_t)(len - 4);
  for (int i = 0; i < 4; i++) buf[i] = (char)(body >> (8 * i)); /* little-endian */
  for (size_t off = 0; off < len;) {
    ssize_t n = write(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) goto fail;
    off += (size_t)n;
  }
  free(buf);
  return 0;
fail:
  free(buf);
  return -1;
}

/* Reads exactly n bytes; 0 at a clean end of the stream before any, -1 otherwise. */
static int read_all(int fd, void *buf, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t r = read(fd, (char *)buf + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return off == 0 ? 0 : -1;
    off += (size_t)r;
  }
  return 1;
}

static void copy_out(int fd, const char *buf, size_t n) {
  /* A closed reader (`ulp ... | head -1`) loses the rest of the output, not the exit status. */
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    buf += w;
    n -= (size_t)w;
  }
}

/* Copies the daemon's frames until its exit status; returns that status. */
static int relay(int fd, const char *socket_path) {
  int accepted = 0;
  char *payload = NULL;
  for (;;) {
    unsigned char header[5];
    if (!accepted) {
      /* Bounded: a daemon that does not even take the command is broken. Running the command here
       * instead could run it twice, should the daemon take it after all, so the client fails. */
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int ready;
      while ((ready = poll(&p, 1, ACCEPT_TIMEOUT_MS)) < 0 && errno == EINTR) {
      }
      if (ready == 0) {
        fprintf(stderr, "ulp: the resident engine did not take the command within %d s; its log is %s.log"
                " (ULP_DAEMON=off runs the command without it)\n", ACCEPT_TIMEOUT_MS / 1000, socket_path);
        return 1;
      }
    }
    int r = read_all(fd, header, sizeof header);
    uint32_t len = (uint32_t)header[1] | (uint32_t)header[2] << 8 | (uint32_t)header[3] << 16 |
                   (uint32_t)header[4] << 24;
    if (r <= 0 || len > MAX_FRAME) break;
    char *grown = realloc(payload, len ? len : 1);
    if (grown == NULL) break;
    payload = grown;
    if (len > 0 && read_all(fd, payload, len) <= 0) break;
    switch (header[0]) {
      case 'a':
        accepted = 1;
        break;
      case 'o':
        copy_out(1, payload, len);
        break;
      case 'e':
        copy_out(2, payload, len);
        break;
      case 'x':
        if (len == 4) {
          return (unsigned char)payload[0] | (unsigned char)payload[1] << 8 | (unsigned char)payload[2] << 16 |
                 (unsigned char)payload[3] << 24;
        }
        goto broken;
      case 'f':
        if (!accepted) {
          close(fd);
          run_on_its_own();
        }
        goto broken;
      default:
        goto broken;
    }
  }
broken:
  if (!accepted) {
    close(fd);
    run_on_its_own(); /* nothing ran: run it here */
  }
  fprintf(stderr, "ulp: the resident engine stopped during the command; its log is %s.log\n", socket_path);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "ulp-client: run by the ulp launcher: ulp-client BUILD LAUNCHER ARGS...\n");
    return 2;
  }
  const char *build = argv[1];
  launcher = argv[2];
  args = argv + 3;
  nargs = argc - 3;
  signal(SIGPIPE, SIG_IGN);

  char dirbuf[PATH_MAX], path[PATH_MAX];
  const char *dir = socket_dir(dirbuf, sizeof dirbuf);
  if (dir == NULL ||
      (size_t)snprintf(path, sizeof path, "%s/ulp-%s-%016llx.sock", dir, build,
                       (unsigned long long)fnv1a(launcher)) >= sizeof((struct sockaddr_un *)0)->sun_path) {
    run_on_its_own();
  }
  int fd = connect_to(path);
  if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
    start_daemon(path);
    fd = connect_to(path);
  }
  if (fd < 0 || send_request(fd) != 0) {
    if (fd >= 0) close(fd);
    run_on_its_own();
  }
  return relay(fd, path);
}
