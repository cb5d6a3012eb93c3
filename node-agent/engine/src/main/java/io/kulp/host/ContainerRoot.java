package io.kulp.host;

import static io.kulp.host.FileSyscalls.EACCES;
import static io.kulp.host.FileSyscalls.ELOOP;
import static io.kulp.host.FileSyscalls.ENOENT;
import static io.kulp.host.FileSyscalls.EPERM;
import static io.kulp.host.FileSyscalls.O_CLOEXEC;
import static io.kulp.host.FileSyscalls.O_DIRECTORY;
import static io.kulp.host.FileSyscalls.O_NOFOLLOW;
import static io.kulp.host.FileSyscalls.O_PATH;
import static io.kulp.host.FileSyscalls.RESOLVE_IN_ROOT;
import static io.kulp.host.FileSyscalls.RESOLVE_NO_MAGICLINKS;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
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
      FileSyscalls.close(fd);
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
    int fd = FileSyscalls.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
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
      FileSyscalls.close(file);
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
    int file = FileSyscalls.open(magicLink.toString(), O_PATH | O_CLOEXEC);
    if (file < 0) {
      throw failure(magicLink.toString(), Native.getLastError());
    }
    return check(file, magicLink.toString(), expected);
  }

  /** Takes {@code file}, an O_PATH descriptor: returns it checked, or closes it. */
  private static CheckedFile check(int file, String shown, Predicate<FileStat> expected) throws IOException {
    try {
      FileStat stat = stat(file, shown);
      if (!stat.isRegularFile()) {
        throw new NotTheFileException(shown, "it is " + stat.kind() + ", not a regular file");
      }
      if (!expected.test(stat)) {
        throw new NotTheFileException(shown, "it is another file than the one expected there");
      }
      return new CheckedFile(file, stat);
    } catch (IOException | RuntimeException e) {
      FileSyscalls.close(file);
      throw e;
    }
  }

  private static FileStat stat(int file, String shown) throws IOException {
    try {
      return FileSyscalls.stat(file);
    } catch (LastErrorException e) {
      throw failure(shown, e.getErrorCode());
    }
  }

  private static int openat2(int dirFd, String path, int flags) {
    return FileSyscalls.openat2(dirFd, path, flags, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  }

  private static IOException failure(String path, int errno) {
    return switch (errno) {
      case ENOENT -> new NoSuchFileException(path);
      case EACCES, EPERM -> new AccessDeniedException(path);
      case ELOOP -> new FileSystemException(path, null, "a link on the way is a procfs magic link, or links loop");
      default -> new FileSystemException(path, null, FileSyscalls.strerror(errno));
    };
  }

  /** The path of the root, for messages. */
  @Override
  public String toString() {
    return name;
  }

  @Override
  public void close() {
    FileSyscalls.close(fd);
  }

  /** A path names another file than the one expected: of another kind, or another file. */
  public static final class NotTheFileException extends FileSystemException {
    NotTheFileException(String path, String reason) {
      super(path, null, reason);
    }
  }
}
