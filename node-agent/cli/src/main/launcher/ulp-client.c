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
 * instead: the command then runs in a JVM of its own, exactly as without a daemon
 * (ULP_DAEMON=require fails instead, for tests). The daemon runs a command only once the client
 * has said "go" (a handshake), so a client that gave up waiting can run it itself; from then on,
 * the command runs to its end even if this client is killed.
 *
 * Security: the socket lies in a directory of mode 0700 owned by the user (/run/kulp for root,
 * $XDG_RUNTIME_DIR/kulp otherwise, or $ULP_DAEMON_DIR). Each side reads the other's identity from
 * /proc through the socket's peer credentials (SO_PEERCRED), never from what the other says, and
 * talks only to its own identity: user, groups, capabilities, no_new_privs, seccomp, LSM label,
 * namespaces (io.kulp.cli.ProcessIdentity builds the daemon's side). Only TERM and KULP_*
 * variables of the environment are sent: the commands read no others.
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
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* How long a daemon may take to start: a JVM under load. Past it, the command runs on its own. */
#define START_TIMEOUT_MS 15000
/* How long a running daemon may take to connect, read the request and answer that it takes it. */
#define TAKE_TIMEOUT_MS 15000
/* The largest frame a daemon sends; anything larger means a broken daemon. */
#define MAX_FRAME (64u << 20)

static const char *launcher;
static int nargs;
static char **args;

/* Runs the command in a JVM of its own: the launcher, told not to come back here. */
static void run_on_its_own(const char *why) {
  const char *mode = getenv("ULP_DAEMON");
  if (mode != NULL && strcmp(mode, "require") == 0) {
    fprintf(stderr, "ulp: the resident engine cannot run this command: %s\n", why);
    exit(1);
  }
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
  /* Bounds connect (a full backlog: a stopped daemon) and the request's writes alike. */
  struct timeval bound = {.tv_sec = TAKE_TIMEOUT_MS / 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
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
  if (pipe2(ready, O_CLOEXEC) != 0) return; /* fds 0-2 are open (main): the pipe gets 3 and above */
  pid_t child = fork();
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    /* Nothing of this client's process that a daemon serving others must not keep: its
     * directory (a mount held busy), umask, signal mask and dispositions, open files (a flock of
     * the caller's script), and environment (JAVA_TOOL_OPTIONS, a locale, LD_PRELOAD...). */
    if (chdir("/") != 0) _exit(127);
    umask(077);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
    char log[PATH_MAX + 8]; /* the socket path is far shorter (sun_path) */
    int null = open("/dev/null", O_RDWR);
    snprintf(log, sizeof log, "%s.log", socket_path);
    int err = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err >= 0 ? err : null, 2) < 0) _exit(127);
    if (dup2(ready[1], 3) < 0) _exit(127); /* ready[1] > 3, and dup2 clears O_CLOEXEC: it survives the exec */
    close_range(4, ~0U, 0);
    const char *java_home = getenv("JAVA_HOME");
    const char *idle_seconds = getenv("ULP_DAEMON_IDLE");
    char *env[8];
    int n = 0;
    char home[PATH_MAX + 16], sock[PATH_MAX + 32], idle[64];
    env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    env[n++] = "LANG=C.UTF-8";
    env[n++] = "ULP_DAEMON=serve";
    env[n++] = "ULP_DAEMON_READY_FD=3";
    snprintf(sock, sizeof sock, "ULP_DAEMON_SOCKET=%s", socket_path);
    env[n++] = sock;
    if (java_home != NULL && (size_t)snprintf(home, sizeof home, "JAVA_HOME=%s", java_home) < sizeof home) {
      env[n++] = home;
    }
    if (idle_seconds != NULL && (size_t)snprintf(idle, sizeof idle, "ULP_DAEMON_IDLE=%s", idle_seconds) < sizeof idle) {
      env[n++] = idle;
    }
    env[n] = NULL;
    char *argv[] = {"ulp", NULL};
    execve(launcher, argv, env);
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

/* The text of a field of DIR/status ("CapEff:"), tabs made spaces, or "" if absent. */
static void status_field(const char *dir, const char *name, char *out, size_t size) {
  out[0] = '\0';
  char path[64];
  snprintf(path, sizeof path, "%s/status", dir);
  FILE *f = fopen(path, "re");
  if (f == NULL) return;
  char line[1024];
  size_t n = strlen(name);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, name, n) == 0) {
      char *v = line + n;
      v += strspn(v, " \t");
      v[strcspn(v, "\n")] = '\0';
      for (char *c = v; *c; c++) {
        if (*c == '\t') *c = ' ';
      }
      snprintf(out, size, "%s", v);
      break;
    }
  }
  fclose(f);
}

/* DIR/NAME's target ("mnt:[4026531840]") or content up to a newline (attr/current); "" if none. */
static void proc_text(const char *dir, const char *name, int link, char *out, size_t size) {
  char path[96];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ssize_t n = -1;
  if (link) {
    n = readlink(path, out, size - 1);
  } else {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      n = read(fd, out, size - 1);
      close(fd);
    }
  }
  out[n > 0 ? n : 0] = '\0';
  out[strcspn(out, "\n")] = '\0';
}

/*
 * The identity of the process whose /proc directory is DIR. The client compares its own with
 * the daemon's, both built here; the daemon does the same with io.kulp.cli.ProcessIdentity, so
 * the two languages need not agree byte for byte. Returns -1 if the process cannot be read.
 */
static int identity(const char *dir, char *out, size_t size) {
  char uid[64], gid[64], groups[512], cap[64], nnp[16], seccomp[16], lsm[256], mnt[64], pid[64], user[64];
  status_field(dir, "Uid:", uid, sizeof uid);
  status_field(dir, "Gid:", gid, sizeof gid);
  status_field(dir, "Groups:", groups, sizeof groups);
  status_field(dir, "CapEff:", cap, sizeof cap);
  status_field(dir, "NoNewPrivs:", nnp, sizeof nnp);
  status_field(dir, "Seccomp:", seccomp, sizeof seccomp);
  proc_text(dir, "attr/current", 0, lsm, sizeof lsm);
  proc_text(dir, "ns/mnt", 1, mnt, sizeof mnt);
  proc_text(dir, "ns/pid", 1, pid, sizeof pid);
  proc_text(dir, "ns/user", 1, user, sizeof user);
  if (uid[0] == '\0' || mnt[0] == '\0') return -1;
  if ((size_t)snprintf(out, size, "uid=%s gid=%s groups=%s cap=%s nnp=%s seccomp=%s lsm=%s mnt=%s pid=%s user=%s", uid,
                       gid, groups, cap, nnp, seccomp, lsm, mnt, pid, user) >= size) {
    return -1;
  }
  return 0;
}

/* The PID of the process listening on FD if it has this client's identity (its credentials as of listen()), else 0. */
static pid_t daemon_of_same_identity(int fd) {
  struct ucred peer;
  socklen_t len = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != geteuid()) return 0;
  char dir[32], mine[2048], theirs[2048];
  snprintf(dir, sizeof dir, "/proc/%ld", (long)peer.pid);
  return identity("/proc/self", mine, sizeof mine) == 0 && identity(dir, theirs, sizeof theirs) == 0 &&
                 strcmp(mine, theirs) == 0
             ? peer.pid
             : 0;
}

/* Waits, within the bound, until process PID has ended: gone, or a zombie with no thread left. The
 * leader of an exiting JVM turns zombie before its other threads have ended, and a thread that gave up
 * on a process still traces it until that thread has ended: so num_threads 1 too, not the state alone. */
static void await_end(pid_t pid) {
  char path[32], stat[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  struct timespec pause = {.tv_nsec = 5 * 1000 * 1000};
  for (int tries = START_TIMEOUT_MS / 5; tries > 0; tries--) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    stat[n > 0 ? n : 0] = '\0';
    /* After the command's name, the k-th space starts field k + 2: state is field 3, num_threads 20. */
    char *field = strrchr(stat, ')');
    if (field == NULL || field[1] == '\0') return;
    char state = field[2];
    for (int k = 0; k < 18 && field != NULL; k++) field = strchr(field + 1, ' ');
    if (field == NULL) return;
    if (state == 'Z' && strtol(field + 1, NULL, 10) <= 1) return;
    nanosleep(&pause, NULL);
  }
}

static int send_request(int fd) {
  char *buf = NULL;
  size_t len = 4, cap = 0;
  char cwd[PATH_MAX], num[32], ttys[4];
  if (getcwd(cwd, sizeof cwd) == NULL) return -1;
  for (int i = 0; i < 3; i++) ttys[i] = isatty(i) ? '1' : '0';
  ttys[3] = '\0';
  if (put(&buf, &len, &cap, "2") || put(&buf, &len, &cap, cwd) || put(&buf, &len, &cap, ttys)) goto fail;
  snprintf(num, sizeof num, "%d", nargs);
  if (put(&buf, &len, &cap, num)) goto fail;
  for (int i = 0; i < nargs; i++) {
    if (put(&buf, &len, &cap, args[i])) goto fail;
  }
  for (char **e = environ; *e; e++) {
    /* What the commands read: the terminal's kind and kulp's own (test) switches. */
    if ((strncmp(*e, "TERM=", 5) == 0 || strncmp(*e, "KULP_", 5) == 0) && put(&buf, &len, &cap, *e)) goto fail;
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
static int relay(int fd, const char *socket_path, pid_t daemon) {
  int accepted = 0, retiring = 0;
  char *payload = NULL;
  for (;;) {
    unsigned char header[5];
    if (!accepted) {
      /* Bounded: a daemon that does not take the command in time runs nothing (it waits for
       * "go"), so the command can run here instead. */
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int ready;
      while ((ready = poll(&p, 1, TAKE_TIMEOUT_MS)) < 0 && errno == EINTR) {
      }
      if (ready == 0) break;
    }
    if (read_all(fd, header, sizeof header) <= 0) break;
    uint32_t len = (uint32_t)header[1] | (uint32_t)header[2] << 8 | (uint32_t)header[3] << 16 |
                   (uint32_t)header[4] << 24;
    if (len > MAX_FRAME) break;
    char *grown = realloc(payload, len ? len : 1);
    if (grown == NULL) break;
    payload = grown;
    if (len > 0 && read_all(fd, payload, len) <= 0) break;
    if (!accepted && header[0] == 'a') {
      if (write(fd, "g", 1) != 1) break; /* go: from now on the command runs, whatever happens here */
      accepted = 1;
    } else if (accepted && header[0] == 'o') {
      copy_out(1, payload, len);
    } else if (accepted && header[0] == 'e') {
      copy_out(2, payload, len);
    } else if (accepted && header[0] == 'r') {
      retiring = 1;
    } else if (accepted && header[0] == 'x' && len == 4) {
      /* A daemon that leaves after this command holds a process until it has ended, as a JVM of
       * this command's own would until it exited: the caller sees the same state after us. */
      if (retiring) await_end(daemon);
      return (int)((uint32_t)(unsigned char)payload[0] | (uint32_t)(unsigned char)payload[1] << 8 |
                   (uint32_t)(unsigned char)payload[2] << 16 | (uint32_t)(unsigned char)payload[3] << 24);
    } else {
      break; /* 'f' (not taken: the reason is in the daemon's log), or a broken daemon */
    }
  }
  if (!accepted) {
    close(fd);
    run_on_its_own("the daemon did not take it (its log says why)"); /* nothing ran: run it here */
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
  /* Standard streams that are closed would otherwise be taken by the sockets and pipes below. */
  for (int std = 0; std < 3; std++) {
    if (fcntl(std, F_GETFD) < 0 && open("/dev/null", O_RDWR) != std) return 126;
  }
  signal(SIGPIPE, SIG_IGN);

  char dirbuf[PATH_MAX], path[PATH_MAX];
  const char *dir = socket_dir(dirbuf, sizeof dirbuf);
  if (dir == NULL) run_on_its_own("no socket directory that only this user can enter");
  if ((size_t)snprintf(path, sizeof path, "%s/ulp-%s-%016llx.sock", dir, build, (unsigned long long)fnv1a(launcher)) >=
      sizeof((struct sockaddr_un *)0)->sun_path) {
    run_on_its_own("the socket's path is too long");
  }
  int fd = connect_to(path);
  if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
    start_daemon(path);
    /* The daemon that started may have lost the socket's lock to one that another client started at
     * the same moment, and left: that one binds the socket right after taking the lock. */
    struct timespec pause = {.tv_nsec = 5 * 1000 * 1000};
    for (int tries = 2000 / 5; (fd = connect_to(path)) < 0 && tries > 0; tries--) {
      if (errno != ENOENT && errno != ECONNREFUSED) break;
      nanosleep(&pause, NULL);
    }
  }
  if (fd < 0) run_on_its_own("no daemon could be reached or started");
  pid_t daemon = daemon_of_same_identity(fd);
  if (daemon == 0) {
    close(fd);
    run_on_its_own("the daemon is not of this client's identity");
  }
  if (send_request(fd) != 0) {
    close(fd);
    run_on_its_own("the request could not be sent");
  }
  return relay(fd, path, daemon);
}
