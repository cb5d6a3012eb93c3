package io.kulp.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The one binding of the libc calls by which kulp opens and inspects files in a container's root
 * (x86-64 Linux): the engine's {@link ContainerRoot} reads through it, and the agent's staging
 * walk writes through it. Bound with JNA direct mapping (a call costs about a JNI call); a failure
 * returns -1 with errno in {@link Native#getLastError()}, read right after the call on the same
 * thread.
 */
public final class FileSyscalls {
  static {
    Native.register("c");
  }

  private FileSyscalls() {}

  public static final int O_RDONLY = 0;
  public static final int O_DIRECTORY = 0200000;
  public static final int O_NOFOLLOW = 0400000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;
  public static final long RESOLVE_NO_MAGICLINKS = 0x02;
  public static final long RESOLVE_NO_SYMLINKS = 0x04;
  public static final long RESOLVE_BENEATH = 0x08;
  public static final long RESOLVE_IN_ROOT = 0x10;
  /** One name inside a directory held open: no link, no magic link, no way out. */
  public static final long RESOLVE_ONE_NAME = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EACCES = 13;
  public static final int ELOOP = 40;

  private static final long SYS_OPENAT2 = 437;
  private static final long SYS_STATX = 332;
  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int STATX_BASIC_STATS = 0x7ff;
  private static final long OVERLAYFS_SUPER_MAGIC = 0x794c7630L;
  /** struct open_how (24 bytes), struct statx (256), struct statfs (120), one after the other. */
  private static final int HOW = 0;
  private static final int STATX = 32;
  private static final int STATFS = STATX + 256;
  private static final ThreadLocal<Memory> SCRATCH = ThreadLocal.withInitial(() -> new Memory(STATFS + 120));

  public static native int open(String path, int flags);

  public static native int close(int fd);

  public static native int fstatfs(int fd, Pointer buf);

  public static native String strerror(int errnum);

  /**
   * syscall(2) with openat2's arguments, and with statx's. syscall is variadic; glibc's is
   * assembly that takes the six argument registers as they are, so fixed arguments do.
   */
  private static native long syscall(long number, long dirFd, String path, Pointer how, long size);

  private static native long syscall(long number, long dirFd, String path, long flags, long mask, Pointer buf);

  /** {@code openat2(2)} of {@code path} from directory {@code dirFd}: a descriptor, or -1 (errno set). */
  public static int openat2(int dirFd, String path, int flags, int mode, long resolve) {
    Pointer how = SCRATCH.get().share(HOW);
    how.setLong(0, flags);
    how.setLong(8, mode);
    how.setLong(16, resolve);
    return (int) syscall(SYS_OPENAT2, dirFd, path, how, 24);
  }

  /**
   * What the open file {@code fd} is now, whatever name it had ({@code statx} on the descriptor,
   * and {@code fstatfs} for overlayfs); an {@code O_PATH} descriptor of a symbolic link shows the
   * link.
   *
   * @throws LastErrorException when either call fails
   */
  public static FileStat stat(int fd) {
    Memory buf = SCRATCH.get();
    Pointer statx = buf.share(STATX);
    Pointer statfs = buf.share(STATFS);
    if (syscall(SYS_STATX, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, statx) < 0 || fstatfs(fd, statfs) < 0) {
      throw lastError();
    }
    // struct statx (linux/stat.h): stx_nlink at 16, stx_uid at 20, stx_mode at 28, stx_ino at 32,
    // stx_size at 40, stx_mtime at 112 (tv_sec, then tv_nsec at 120), stx_dev_major and
    // stx_dev_minor at 136 and 140.
    long mtime = statx.getLong(112) * 1_000_000_000L + statx.getInt(120);
    return new FileStat(statx.getInt(136), statx.getInt(140), statx.getLong(32), statx.getShort(28) & 0xffff,
        statx.getInt(20), statx.getInt(16) & 0xffffffffL, statx.getLong(40), mtime,
        statfs.getLong(0) == OVERLAYFS_SUPER_MAGIC);
  }

  /** The failure of the call just made on this thread, as JNA reports one: "[errno] message". */
  public static LastErrorException lastError() {
    int errno = Native.getLastError();
    return new LastErrorException("[" + errno + "] " + strerror(errno));
  }
}
