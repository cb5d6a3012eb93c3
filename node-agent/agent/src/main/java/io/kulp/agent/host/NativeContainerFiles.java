package io.kulp.agent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.kulp.host.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * {@link ContainerFiles} with {@code openat2(2)}: every path inside the container is resolved with
 * {@code RESOLVE_IN_ROOT} against the process's {@code /proc/PID/root}, so a symbolic link the
 * container planted (say {@code /tmp -> /etc}, or an absolute link) resolves inside the container,
 * never on the host; the staging directory itself and the file are opened with
 * {@code RESOLVE_NO_SYMLINKS} and {@code O_EXCL}. Mount flags come from {@code fstatfs}: a
 * directory on a read-only or {@code noexec} mount is passed over (a dlopen from it would fail).
 * Needs Linux 5.6 or later.
 */
public final class NativeContainerFiles implements ContainerFiles {
  private static final int O_RDONLY = 0;
  private static final int O_WRONLY = 01;
  private static final int O_CREAT = 0100;
  private static final int O_EXCL = 0200;
  private static final int O_DIRECTORY = 0200000;
  private static final int O_NOFOLLOW = 0400000;
  private static final int O_CLOEXEC = 02000000;
  private static final int O_PATH = 010000000;
  private static final long RESOLVE_NO_MAGICLINKS = 0x02;
  private static final long RESOLVE_NO_SYMLINKS = 0x04;
  private static final long RESOLVE_BENEATH = 0x08;
  private static final long RESOLVE_IN_ROOT = 0x10;
  private static final long SYS_OPENAT2 = 437;
  private static final int ST_RDONLY = 1;
  private static final int ST_NOEXEC = 8;
  private static final int STATFS_SIZE = 120;
  private static final int STATFS_FLAGS_OFFSET = 80;
  private static final int ENOENT = 2;
  private static final int EEXIST = 17;

  /** The libc calls used here; errors surface as {@link LastErrorException} carrying errno. */
  interface C extends Library {
    C LIBC = Native.load("c", C.class);

    long syscall(long number, Object... args) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

    int unlinkat(int dirfd, String path, int flags) throws LastErrorException;

    int renameat(int olddirfd, String oldpath, int newdirfd, String newpath) throws LastErrorException;

    int fstatfs(int fd, Pointer buf) throws LastErrorException;

    long write(int fd, Pointer buf, long count) throws LastErrorException;

    int close(int fd);
  }

  private final HostPaths host;

  public NativeContainerFiles(HostPaths host) {
    this.host = host;
  }

  @Override
  public String stage(int pid, List<String> dirs, String name, byte[] bytes) throws StagingException {
    int root = openRoot(pid);
    List<String> refusals = new ArrayList<>();
    try {
      for (String dir : dirs) {
        try {
          if (stageIn(root, dir, name, bytes, refusals)) {
            return dir + "/" + name;
          }
        } catch (LastErrorException e) {
          refusals.add(dir + ": " + e.getMessage());
        }
      }
    } finally {
      C.LIBC.close(root);
    }
    throw new StagingException("no staging directory is usable in process " + pid + " (" + String.join("; ", refusals)
        + "); set KULP_STAGING_DIRS to a writable directory of the container that allows exec");
  }

  private boolean stageIn(int root, String dir, String name, byte[] bytes, List<String> refusals) {
    int slash = dir.lastIndexOf('/');
    String parent = slash == 0 ? "." : dir.substring(1, slash);
    String leaf = dir.substring(slash + 1);
    int parentFd;
    try {
      parentFd = openat2(root, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    } catch (LastErrorException e) {
      refusals.add(dir + ": " + (e.getErrorCode() == ENOENT ? "its parent does not exist" : e.getMessage()));
      return false;
    }
    try {
      String unusable = unusableMount(parentFd);
      if (unusable != null) {
        refusals.add(dir + ": " + unusable);
        return false;
      }
      try {
        C.LIBC.mkdirat(parentFd, leaf, 0755);
      } catch (LastErrorException e) {
        if (e.getErrorCode() != EEXIST) {
          throw e;
        }
      }
      int dirFd = openat2(parentFd, leaf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0,
          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
      try {
        unusable = unusableMount(dirFd);
        if (unusable != null) {
          refusals.add(dir + ": " + unusable);
          return false;
        }
        writeAtomically(dirFd, name, bytes);
        return true;
      } finally {
        C.LIBC.close(dirFd);
      }
    } finally {
      C.LIBC.close(parentFd);
    }
  }

  private static void writeAtomically(int dirFd, String name, byte[] bytes) {
    String tmp = "." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    int fd = openat2(dirFd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444,
        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    try {
      Memory buffer = new Memory(Math.max(1, bytes.length));
      buffer.write(0, bytes, 0, bytes.length);
      long done = 0;
      while (done < bytes.length) {
        done += C.LIBC.write(fd, buffer.share(done), bytes.length - done);
      }
    } catch (LastErrorException e) {
      C.LIBC.close(fd);
      C.LIBC.unlinkat(dirFd, tmp, 0);
      throw e;
    }
    C.LIBC.close(fd);
    C.LIBC.renameat(dirFd, tmp, dirFd, name);
  }

  @Override
  public void remove(int pid, String path) throws StagingException {
    int slash = path.lastIndexOf('/');
    if (!path.startsWith("/") || slash <= 0) {
      throw new StagingException("not a staged file: " + path);
    }
    int root = openRoot(pid);
    try {
      int dirFd = openat2(root, path.substring(1, slash), O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      try {
        C.LIBC.unlinkat(dirFd, path.substring(slash + 1), 0);
      } finally {
        C.LIBC.close(dirFd);
      }
    } catch (LastErrorException e) {
      if (e.getErrorCode() != ENOENT) {
        throw new StagingException("cannot remove " + path + " from process " + pid + ": " + e.getMessage());
      }
    } finally {
      C.LIBC.close(root);
    }
  }

  @Override
  public List<String> list(int pid, String dir) {
    int root;
    try {
      root = openRoot(pid);
    } catch (StagingException e) {
      return List.of();
    }
    try {
      int dirFd = openat2(root, dir.substring(1), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0,
          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd/" + dirFd))) {
        // the descriptor's directory, resolved inside the container: listing it follows no link
        return entries.map(e -> e.getFileName().toString()).toList();
      } finally {
        C.LIBC.close(dirFd);
      }
    } catch (LastErrorException | IOException e) {
      return List.of();
    } finally {
      C.LIBC.close(root);
    }
  }

  private int openRoot(int pid) throws StagingException {
    String root = host.proc(pid).resolve("root").toString();
    try {
      root = host.processEntry(pid).resolve("root").toString(); // the main thread may have exited
      return C.LIBC.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } catch (IOException e) {
      throw new StagingException("cannot open " + root + ": " + e.getMessage() + " (the process is gone)");
    } catch (LastErrorException e) {
      throw new StagingException("cannot open " + root + ": " + e.getMessage()
          + (e.getErrorCode() == ENOENT ? " (the process is gone)" : " (the agent needs CAP_SYS_PTRACE)"));
    }
  }

  /** Why files on the mount of {@code fd} cannot be dlopened after writing them, or null. */
  private static String unusableMount(int fd) {
    Memory statfs = new Memory(STATFS_SIZE);
    C.LIBC.fstatfs(fd, statfs);
    long flags = statfs.getLong(STATFS_FLAGS_OFFSET);
    if ((flags & ST_RDONLY) != 0) {
      return "read-only mount";
    }
    if ((flags & ST_NOEXEC) != 0) {
      return "noexec mount";
    }
    return null;
  }

  private static int openat2(int dirFd, String path, int flags, int mode, long resolve) {
    Memory how = new Memory(24);
    how.setLong(0, flags);
    how.setLong(8, mode);
    how.setLong(16, resolve);
    return (int) C.LIBC.syscall(SYS_OPENAT2, (long) dirFd, path, how, 24L);
  }
}
