package io.kulp.agent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.kulp.host.FileStat;
import io.kulp.host.FileSyscalls;
import java.nio.charset.StandardCharsets;

/** A file descriptor the agent owns, closed once (try-with-resources). */
final class Fd implements AutoCloseable {
  private static final int STATFS_SIZE = 120;
  private static final int STATFS_FLAGS_OFFSET = 80;
  private static final int ST_RDONLY = 1;
  private static final int ST_NOEXEC = 8;
  private static final int PATH_MAX = 4096;

  private final int fd;
  private boolean closed;

  private Fd(int fd) {
    this.fd = fd;
  }

  int number() {
    return fd;
  }

  /** {@code open(2)}; a failure throws {@link LastErrorException} with errno. */
  static Fd open(String path, int flags) {
    return checked(FileSyscalls.open(path, flags));
  }

  /** {@code openat2(2)} of {@code path} below {@code dir}; a failure throws {@link LastErrorException}. */
  static Fd openat2(Fd dir, String path, int flags, int mode, long resolve) {
    return checked(FileSyscalls.openat2(dir.fd, path, flags, mode, resolve));
  }

  private static Fd checked(int fd) {
    if (fd < 0) {
      throw FileSyscalls.lastError();
    }
    return new Fd(fd);
  }

  /** What this descriptor is now, whatever name it had. */
  FileStat stat() {
    return FileSyscalls.stat(fd);
  }

  /** Why files on this descriptor's mount cannot be dlopened after writing them, or null. */
  String unusableMount() {
    Memory statfs = new Memory(STATFS_SIZE);
    if (FileSyscalls.fstatfs(fd, statfs) < 0) {
      throw FileSyscalls.lastError();
    }
    long flags = statfs.getLong(STATFS_FLAGS_OFFSET);
    if ((flags & ST_RDONLY) != 0) {
      return "read-only mount";
    }
    if ((flags & ST_NOEXEC) != 0) {
      return "noexec mount";
    }
    return null;
  }

  /** The target of the symbolic link this {@code O_PATH} descriptor names. */
  String readLink() {
    Memory buf = new Memory(PATH_MAX);
    long n = Libc.C.readlinkat(fd, "", buf, PATH_MAX);
    if (n >= PATH_MAX) {
      throw new LastErrorException(36); // ENAMETOOLONG
    }
    return new String(buf.getByteArray(0, (int) n), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      FileSyscalls.close(fd);
    }
  }
}
