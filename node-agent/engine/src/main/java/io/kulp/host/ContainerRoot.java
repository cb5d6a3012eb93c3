package io.kulp.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
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
  private static final int STATX_SIZE = 256;
  private static final int STATFS_SIZE = 120;
  private static final long OVERLAYFS_SUPER_MAGIC = 0x794c7630L;
  private static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int EACCES = 13;
  private static final int ELOOP = 40;

  /** The libc calls used here; errors surface as {@link LastErrorException} carrying errno. */
  interface C extends Library {
    C LIBC = Native.load("c", C.class);

    long syscall(long number, Object... args) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int fstatfs(int fd, Pointer buf) throws LastErrorException;

    int close(int fd);
  }

  /** A regular file opened for reading, and what statx said of it before it was opened. */
  public record Opened(FileChannel channel, FileStat stat) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      channel.close();
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
    try {
      return new ContainerRoot(C.LIBC.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), root);
    } catch (LastErrorException e) {
      throw failure(root, e);
    }
  }

  /**
   * What {@code path} (absolute, as the process sees it) names, following symbolic links the way
   * the process would, but never out of its root; empty when nothing is there. Opens nothing for
   * reading.
   */
  public Optional<FileStat> stat(String path) throws IOException {
    int file;
    try {
      file = openat2(fd, path, O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENOENT) {
        return Optional.empty();
      }
      throw failure(path, e);
    }
    try {
      return Optional.of(stat(file, path));
    } finally {
      C.LIBC.close(file);
    }
  }

  /**
   * Opens {@code path} (absolute, as the process sees it) for reading, if it is a regular file
   * that {@code expected} accepts. A symbolic link as the last component is not followed (the
   * kernel resolved links before it mapped a file, so {@code /proc/PID/maps} shows none). Throws
   * {@link NoSuchFileException} when nothing is there and {@link NotTheFileException} when
   * something else is.
   */
  public Opened openRegular(String path, Predicate<FileStat> expected) throws IOException {
    int file;
    try {
      file = openat2(fd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    } catch (LastErrorException e) {
      throw failure(path, e);
    }
    return checkAndOpen(file, path, expected);
  }

  /**
   * Opens the file a procfs magic link points to ({@code /proc/PID/map_files/START-END}: the very
   * file mapped there), with the same checks as {@link #openRegular}.
   */
  public static Opened openRegular(Path magicLink, Predicate<FileStat> expected) throws IOException {
    int file;
    try {
      file = C.LIBC.open(magicLink.toString(), O_PATH | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw failure(magicLink.toString(), e);
    }
    return checkAndOpen(file, magicLink.toString(), expected);
  }

  /** Takes {@code file}, an O_PATH descriptor, and closes it. */
  private static Opened checkAndOpen(int file, String shown, Predicate<FileStat> expected) throws IOException {
    try {
      FileStat stat = stat(file, shown);
      if (!stat.regular()) {
        throw new NotTheFileException(shown, "it is " + stat.kind() + ", not a regular file");
      }
      if (!expected.test(stat)) {
        throw new NotTheFileException(shown, "it is another file than the one expected there");
      }
      // The descriptor's own file, not a new lookup of its name: the file checked is the one read.
      // It is a regular file, so its open cannot wait for a writer (as a FIFO's would: no need for
      // O_NONBLOCK) nor have a device's effects.
      return new Opened(FileChannel.open(Path.of("/proc/self/fd/" + file), StandardOpenOption.READ), stat);
    } finally {
      C.LIBC.close(file);
    }
  }

  private static FileStat stat(int file, String shown) throws IOException {
    Memory statx = new Memory(STATX_SIZE);
    Memory statfs = new Memory(STATFS_SIZE);
    try {
      C.LIBC.syscall(SYS_STATX, (long) file, "", AT_EMPTY_PATH, STATX_BASIC_STATS, statx);
      C.LIBC.fstatfs(file, statfs);
    } catch (LastErrorException e) {
      throw failure(shown, e);
    }
    // struct statx (linux/stat.h): stx_mode at 28, stx_ino at 32, stx_size at 40, stx_mtime at 112
    // (tv_sec, then tv_nsec at 120), stx_dev_major and stx_dev_minor at 136 and 140.
    long mtime = statx.getLong(112) * 1_000_000_000L + statx.getInt(120);
    return new FileStat(statx.getInt(136), statx.getInt(140), statx.getLong(32), statx.getShort(28) & 0xffff,
        statx.getLong(40), mtime, statfs.getLong(0) == OVERLAYFS_SUPER_MAGIC);
  }

  private static int openat2(int dirFd, String path, int flags, long resolve) {
    Memory how = new Memory(24);
    how.setLong(0, flags);
    how.setLong(8, 0);
    how.setLong(16, resolve);
    return (int) C.LIBC.syscall(SYS_OPENAT2, (long) dirFd, path, how, 24L);
  }

  private static IOException failure(String path, LastErrorException e) {
    return switch (e.getErrorCode()) {
      case ENOENT -> new NoSuchFileException(path);
      case EACCES, EPERM -> new AccessDeniedException(path);
      case ELOOP -> new FileSystemException(path, null, "a link on the way is a procfs magic link, or links loop");
      default -> new FileSystemException(path, null, e.getMessage());
    };
  }

  /** The path of the root, for messages. */
  @Override
  public String toString() {
    return name;
  }

  @Override
  public void close() {
    C.LIBC.close(fd);
  }

  /** A path names another file than the one expected: of another kind, or another file. */
  public static final class NotTheFileException extends FileSystemException {
    NotTheFileException(String path, String reason) {
      super(path, null, reason);
    }
  }
}
