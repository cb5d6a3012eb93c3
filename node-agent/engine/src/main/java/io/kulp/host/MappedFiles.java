package io.kulp.host;

import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Opens the ELF files that a process has mapped, as that process sees them: through
 * {@code /proc/PID/map_files} (needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else through
 * {@code /proc/PID/root}, so a process in another mount namespace (a container) works the same.
 * What is learned from a file is cached by the identity of the file actually opened (device,
 * inode, size, modification time), shared by every process mapping it. Device and inode alone
 * would not do for a long-lived agent: once a file is deleted (an image removed, a package
 * upgraded), its inode number is reused by another file, whose build-id and symbols differ.
 */
public final class MappedFiles {
  private final Path procRoot;
  private final Map<String, Object> cache = new ConcurrentHashMap<>();
  /** Cleared once map_files is refused (no CAP_SYS_ADMIN): it will be every time, at an exception each. */
  private volatile boolean mapFilesUsable = true;

  public MappedFiles(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** Computes (once per file) a fact about the ELF file behind mapping {@code m} of process {@code pid}. */
  @SuppressWarnings("unchecked")
  public <T> T fact(int pid, Mapping m, String what, Function<ElfFile, T> compute) throws IOException {
    Located file = locate(pid, m);
    String key = file.identity() + ":" + what;
    Object cached = cache.get(key);
    if (cached != null) {
      return (T) cached;
    }
    T value;
    try (ElfFile elf = ElfFile.open(file.path())) {
      value = compute.apply(elf);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof ElfException ee) {
        throw new IOException(ee.getMessage(), ee);
      }
      throw e;
    }
    if (value != null) {
      cache.put(key, value);
    }
    return value;
  }

  /** A path to open a mapped file by, and that file's identity (one stat for both). */
  private record Located(Path path, String identity) {}

  /** The file of {@code m}, as process {@code pid} sees it. */
  private Located locate(int pid, Mapping m) throws IOException {
    Path pidDir = procRoot.resolve(Integer.toString(pid));
    Path viaMapFiles = pidDir.resolve("map_files").resolve(m.mapFilesName());
    if (mapFilesUsable) {
      try {
        // The very file mapped, even if since renamed or deleted; needs CAP_SYS_ADMIN.
        return new Located(viaMapFiles, identity(viaMapFiles));
      } catch (AccessDeniedException | SecurityException e) {
        mapFilesUsable = false; // the process's root view needs only ptrace access
      } catch (IOException e) {
        // this mapping is gone; try the root view
      }
    }
    Path viaRoot = pidDir.resolve("root").resolve(m.path().replaceFirst("^/+", ""));
    try {
      return new Located(viaRoot, identity(viaRoot));
    } catch (IOException e) {
      throw new IOException("cannot open " + m.path() + " as process " + pid + " sees it (neither " + viaMapFiles
          + " nor " + viaRoot + " is readable)", e);
    }
  }

  private static String identity(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return a.fileKey() + ":" + a.size() + ":" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
  }

  /** Unchecked wrapper so ELF errors can cross {@link Function}. */
  public static <T> T unchecked(ElfCall<T> call) {
    try {
      return call.get();
    } catch (ElfException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @FunctionalInterface
  public interface ElfCall<T> {
    T get() throws ElfException;
  }
}
