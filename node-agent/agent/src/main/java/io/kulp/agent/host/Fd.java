package io.kulp.agent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;

/** A file descriptor the agent owns, closed once (try-with-resources). */
final class Fd implements AutoCloseable {
  private static final int STAT_SIZE = 144;
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

  static Fd open(String path, int flags) {
    return new Fd(Libc.C.open(path, flags));
  }

  /** {@code openat2(2)} of {@code path} below {@code dir}. */
  static Fd openat2(Fd dir, String path, int flags, int mode, long resolve) {
    Memory how = new Memory(24);
    how.setLong(0, flags);
    how.setLong(8, mode);
    how.setLong(16, resolve);
    return new Fd((int) Libc.C.syscall(Libc.SYS_OPENAT2, (long) dir.fd, path, how, 24L));
  }

  /** {@code fstat(2)}: what this descriptor is now, whatever name it had. */
  FileStat stat() {
    Memory st = new Memory(STAT_SIZE);
    Libc.C.syscall(Libc.SYS_FSTAT, (long) fd, st);
    return new FileStat(st.getInt(24), st.getInt(28), st.getLong(16), st.getLong(48));
  }

  /** Why files on this descriptor's mount cannot be dlopened after writing them, or null. */
  String unusableMount() {
    Memory statfs = new Memory(STATFS_SIZE);
    Libc.C.fstatfs(fd, statfs);
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
      Libc.C.close(fd);
    }
  }
}
