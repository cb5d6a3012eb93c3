package io.kulp.host;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A process's root directory ({@code /proc/PID/root}), and the one way the engine resolves a path
 * inside it. A container's files belong to the workload, which is not trusted: a path from
 * {@code /proc/PID/maps} may have become a symbolic link to a host file, a FIFO that blocks whoever
 * opens it, or a device whose open has effects. So:
 * <ul>
 *   <li>paths are resolved with {@code openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)} against
 *       the root: {@code ..} and absolute links stay inside it, and {@code /proc/self/root}-style
 *       links inside the container are refused;
 *   <li>the file is first opened with {@code O_PATH}, which reads nothing, opens no device and
 *       never blocks, and is checked through {@code statx} on that descriptor;
 *   <li>only a regular file that passes the caller's check is opened for reading, through
 *       {@code /proc/self/fd/N} of that very descriptor: the file checked is the file read, whatever
 *       the workload renames meanwhile.
 * </ul>
 * A file system that does not answer (FUSE, NFS) can still block any of these calls: callers bound
 * them in time with {@link TimeLimit}. Needs Linux 5.6 or later ({@code openat2}).
 */
public final class ContainerRoot implements AutoCloseable {
  private static final int O_DIRECTORY = 0200000;
  private static final int O_NOFOLLOW = 0400000;
  private static final int O_CLOEXEC = 02000000;
  private static final int O_PATH = 010000000;
  private static final long RESOLVE_NO_MAGICLINKS = 0x02;
  private static final long RESOLVE_IN_ROOT = 0x10;
  private static final long SYS_OPENAT2 = 437;
  private static final long SYS_STATX = 332;
  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int STATX_BASIC_STATS = 0x7ff;
  private static final long OVERLAYFS_SUPER_MAGIC = 0x794c7630L;
  private static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int EACCES = 13;
  private static final int ELOOP = 40;
  /** struct open_how (24 bytes), struct statx (256), struct statfs (120), one after the other. */
  private static final int HOW = 0;
  private static final int STATX = 32;
  private static final int STATFS = STATX + 256;
  private static final ThreadLocal<Memory> SCRATCH = ThreadLocal.withInitial(() -> new Memory(STATFS + 120));

  /**
   * The libc calls used here, bound with JNA direct mapping (a call costs about a JNI call); a
   * failure returns -1 with errno in {@link Native#getLastError()}.
   */
  private static final class Syscalls {
    static {
      Native.register("c");
    }

    static native int open(String path, int flags);

    static native int close(int fd);

    static native int fstatfs(int fd, Pointer buf);

    static native String strerror(int errnum);

    /**
     * syscall(2) with openat2's arguments, and with statx's. syscall is variadic; glibc's is
     * assembly that takes the six argument registers as they are, so fixed arguments do.
     */
    static native long syscall(long number, long dirFd, String path, Pointer how, long size);

    static native long syscall(long number, long dirFd, String path, long flags, long mask, Pointer buf);
  }

  /**
   * A regular file found and checked: an {@code O_PATH} descriptor of it, which has read nothing,
   * and what {@code statx} said of it. {@link #read()} opens that very file for reading.
   */
  public static final class CheckedFile implements AutoCloseable {
    private final int fd;
    private final FileStat stat;

    private CheckedFile(int fd, FileStat stat) {
      this.fd = fd;
      this.stat = stat;
    }

    public FileStat stat() {
      return stat;
    }

    /**
     * Opens the file for reading: the descriptor's own file, not a new lookup of its name. It is
     * a regular file, so the open cannot wait for a writer (as a FIFO's would) nor have a
     * device's effects.
     */
    public FileChannel read() throws IOException {
      return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
    }

    @Override
    public void close() {
      Syscalls.close(fd);
    }
  }

  private final int fd;
  private final String name;

  private ContainerRoot(int fd, String name) {
    this.fd = fd;
    this.name = name;
  }

  /**
   * Opens the root of the process shown by {@code procEntry} ({@code /proc/PID}, or a live
   * thread's entry). Throws {@link NoSuchFileException} once it is gone and
   * {@link AccessDeniedException} without the right to ptrace it.
   */
  public static ContainerRoot of(Path procEntry) throws IOException {
    String root = procEntry.resolve("root").toString();
    int fd = Syscalls.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      throw failure(root, Native.getLastError());
    }
    return new ContainerRoot(fd, root);
  }

  /**
   * What {@code path} (absolute, as the process sees it) names, following symbolic links the way
   * the process would, but never out of its root; empty when nothing is there. Opens nothing for
   * reading.
   */
  public Optional<FileStat> stat(String path) throws IOException {
    int file = openat2(fd, path, O_PATH | O_CLOEXEC);
    if (file < 0) {
      int errno = Native.getLastError();
      if (errno == ENOENT) {
        return Optional.empty();
      }
      throw failure(path, errno);
    }
    try {
      return Optional.of(stat(file, path));
    } finally {
      Syscalls.close(file);
    }
  }

  /**
   * Finds {@code path} (absolute, as the process sees it), if it is a regular file that
   * {@code expected} accepts. A symbolic link as the last component is not followed (the kernel
   * resolved links before it mapped a file, so {@code /proc/PID/maps} shows none). Throws
   * {@link NoSuchFileException} when nothing is there and {@link NotTheFileException} when
   * something else is.
   */
  public CheckedFile regularFile(String path, Predicate<FileStat> expected) throws IOException {
    int file = openat2(fd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (file < 0) {
      throw failure(path, Native.getLastError());
    }
    return check(file, path, expected);
  }

  /**
   * Finds the file a procfs magic link points to ({@code /proc/PID/map_files/START-END}: the very
   * file mapped there), with the same checks as {@link #regularFile(String, Predicate)}.
   */
  public static CheckedFile regularFile(Path magicLink, Predicate<FileStat> expected) throws IOException {
    int file = Syscalls.open(magicLink.toString(), O_PATH | O_CLOEXEC);
    if (file < 0) {
      throw failure(magicLink.toString(), Native.getLastError());
    }
    return check(file, magicLink.toString(), expected);
  }

  /** Takes {@code file}, an O_PATH descriptor: returns it checked, or closes it. */
  private static CheckedFile check(int file, String shown, Predicate<FileStat> expected) throws IOException {
    try {
      FileStat stat = stat(file, shown);
      if (!stat.regular()) {
        throw new NotTheFileException(shown, "it is " + stat.kind() + ", not a regular file");
      }
      if (!expected.test(stat)) {
        throw new NotTheFileException(shown, "it is another file than the one expected there");
      }
      return new CheckedFile(file, stat);
    } catch (IOException | RuntimeException e) {
      Syscalls.close(file);
      throw e;
    }
  }

  private static FileStat stat(int file, String shown) throws IOException {
    Memory buf = SCRATCH.get();
    Pointer statx = buf.share(STATX);
    Pointer statfs = buf.share(STATFS);
    if (Syscalls.syscall(SYS_STATX, file, "", AT_EMPTY_PATH, STATX_BASIC_STATS, statx) < 0
        || Syscalls.fstatfs(file, statfs) < 0) {
      throw failure(shown, Native.getLastError());
    }
    // struct statx (linux/stat.h): stx_mode at 28, stx_ino at 32, stx_size at 40, stx_mtime at 112
    // (tv_sec, then tv_nsec at 120), stx_dev_major and stx_dev_minor at 136 and 140.
    long mtime = statx.getLong(112) * 1_000_000_000L + statx.getInt(120);
    return new FileStat(statx.getInt(136), statx.getInt(140), statx.getLong(32), statx.getShort(28) & 0xffff,
        statx.getLong(40), mtime, statfs.getLong(0) == OVERLAYFS_SUPER_MAGIC);
  }

  private static int openat2(int dirFd, String path, int flags) {
    Pointer how = SCRATCH.get().share(HOW);
    how.setLong(0, flags);
    how.setLong(8, 0);
    how.setLong(16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    return (int) Syscalls.syscall(SYS_OPENAT2, dirFd, path, how, 24);
  }

  private static IOException failure(String path, int errno) {
    return switch (errno) {
      case ENOENT -> new NoSuchFileException(path);
      case EACCES, EPERM -> new AccessDeniedException(path);
      case ELOOP -> new FileSystemException(path, null, "a link on the way is a procfs magic link, or links loop");
      default -> new FileSystemException(path, null, Syscalls.strerror(errno));
    };
  }

  /** The path of the root, for messages. */
  @Override
  public String toString() {
    return name;
  }

  @Override
  public void close() {
    Syscalls.close(fd);
  }

  /** A path names another file than the one expected: of another kind, or another file. */
  public static final class NotTheFileException extends FileSystemException {
    NotTheFileException(String path, String reason) {
      super(path, null, reason);
    }
  }
}
