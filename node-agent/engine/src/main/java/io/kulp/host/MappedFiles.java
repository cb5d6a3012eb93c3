package io.kulp.host;

import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Opens the ELF files that a process has mapped, as that process sees them, and only those: a
 * file is read only once {@code statx} on a descriptor that reads nothing has shown a regular file
 * with the device and inode of the {@code /proc/PID/maps} line (see {@link ContainerRoot}). It is
 * found through {@code /proc/PID/map_files} (the very file mapped, even deleted; needs
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, which the node agent does not have), else by its path
 * inside the process's root, resolved so that no link leads out of it. A FIFO, a device, a link
 * or another file put where a mapped file was is refused without being opened; each file is read
 * within a time limit, so one on a file system that never answers costs its process an error,
 * not the caller a thread.
 *
 * <p>What is learned from a file is cached by the identity of the file actually opened (device,
 * inode, size, modification time), shared by every process mapping it. Device and inode alone
 * would not do for a long-lived agent: once a file is deleted (an image removed, a package
 * upgraded), its inode number is reused by another file, whose build-id and symbols differ.
 */
public final class MappedFiles {
  /** How long reading one file may take by default. */
  public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);
  /** The kernel's suffix in {@code /proc/PID/maps} for a file deleted since it was mapped. */
  private static final String DELETED = " (deleted)";

  private final Path procRoot;
  private final Duration limit;
  private final Map<String, Object> cache = new ConcurrentHashMap<>();
  /** Cleared once map_files is refused (no CAP_SYS_ADMIN): it will be every time, at an exception each. */
  private volatile boolean mapFilesUsable;

  public MappedFiles(Path procRoot) {
    this(procRoot, true, DEFAULT_LIMIT);
  }

  /**
   * @param procRoot the host's procfs
   * @param mapFiles whether to try {@code /proc/PID/map_files} first; without it, files are found
   *     in the process's root only, as the node agent (without CAP_SYS_ADMIN) finds them
   * @param limit how long reading one file may take
   */
  public MappedFiles(Path procRoot, boolean mapFiles, Duration limit) {
    this.procRoot = procRoot;
    this.mapFilesUsable = mapFiles;
    this.limit = limit;
  }

  /**
   * Computes (once per file) a fact about the ELF file behind mapping {@code m} of process
   * {@code pid}. Throws an {@link IOException} whose message says why, when the file cannot be
   * read safely, is not an ELF file, or does not answer in time.
   */
  public <T> T fact(int pid, Mapping m, String what, Function<ElfFile, T> compute) throws IOException {
    return TimeLimit.shared().call(limit, () -> read(pid, m, what, compute),
        why -> new IOException("reading " + m.path() + " of process " + pid + " " + why
            + " (its file system does not answer)"));
  }

  @SuppressWarnings("unchecked")
  private <T> T read(int pid, Mapping m, String what, Function<ElfFile, T> compute) throws IOException {
    try (ContainerRoot.CheckedFile file = find(pid, m)) {
      String key = file.stat().identity() + ":" + what;
      Object cached = cache.get(key);
      if (cached != null) {
        return (T) cached;
      }
      T value;
      try (ElfFile elf = open(file, m.path())) {
        value = compute.apply(elf);
      }
      if (value != null) {
        cache.put(key, value);
      }
      return value;
    } catch (RuntimeException e) {
      if (e.getCause() instanceof ElfException ee) {
        throw new IOException(ee.getMessage(), ee);
      }
      throw e;
    }
  }

  /** Opens the checked file for the ELF reader, which reads only what it is asked for, within its caps. */
  private static ElfFile open(ContainerRoot.CheckedFile file, String shown) throws IOException {
    FileChannel channel = file.read();
    try {
      return ElfFile.open(channel, file.stat().size(), shown);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The file of {@code m}, as process {@code pid} sees it, checked to be the one mapped. */
  private ContainerRoot.CheckedFile find(int pid, Mapping m) throws IOException {
    Path pidDir = procRoot.resolve(Integer.toString(pid));
    if (mapFilesUsable) {
      try {
        // The very file mapped, even if since renamed or deleted.
        return ContainerRoot.regularFile(pidDir.resolve("map_files").resolve(m.mapFilesName()),
            stat -> stat.isMapped(m.device(), m.inode()));
      } catch (AccessDeniedException e) {
        mapFilesUsable = false; // the process's root view needs only ptrace access
      } catch (IOException e) {
        // this mapping is gone; try the root view
      }
    }
    List<String> refusals = new ArrayList<>();
    try (ContainerRoot root = ContainerRoot.of(pidDir)) {
      for (String path : candidates(m.path())) {
        try {
          return root.regularFile(path, stat -> stat.isMapped(m.device(), m.inode()));
        } catch (NoSuchFileException e) {
          refusals.add(path + ": nothing is there");
        } catch (FileSystemException e) {
          refusals.add(path + ": " + e.getReason());
        }
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException("no such process: " + pid + " (it exited)");
    }
    throw new IOException("the file process " + pid + " maps as " + m.path() + " cannot be read safely ("
        + String.join("; ", refusals) + ")");
  }

  /**
   * The paths under which the process may still see the file of a maps line: its path; and, for
   * a file deleted since it was mapped, the path without the kernel's " (deleted)", in case
   * another name of the same file is there (a hard link). Each is checked to be the mapped file.
   */
  private static List<String> candidates(String path) {
    if (path.endsWith(DELETED)) {
      return List.of(path, path.substring(0, path.length() - DELETED.length()));
    }
    return List.of(path);
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
