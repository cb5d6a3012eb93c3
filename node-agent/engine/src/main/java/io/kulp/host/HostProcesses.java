package io.kulp.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Discovery on one host, for the ulp CLI: which processes have kulp's runtime, which libraries are live-patchable. */
public final class HostProcesses {
  /**
   * How long reading one process's maps may take in a scan of every process: the kernel holds the
   * process's memory-map lock meanwhile, which a hostile process may keep.
   */
  public static final Duration SCAN_LIMIT = Duration.ofSeconds(2);

  private HostProcesses() {}

  /**
   * PIDs of the processes that have the kulp runtime loaded, in order, this JVM excluded. A process
   * whose maps cannot be read within {@link #SCAN_LIMIT} is left out.
   */
  public static List<Integer> withRuntime(Path procRoot) {
    List<Integer> pids = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        int pid = Integer.parseInt(dir.getFileName().toString());
        if (pid == self) {
          continue;
        }
        try {
          if (TimeLimit.shared().call(SCAN_LIMIT, () -> ProcessMaps.read(procRoot, pid), IOException::new).runtime()
              .isPresent()) {
            pids.add(pid);
          }
        } catch (IOException e) {
          // exited, not ours to read, or not answering
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + procRoot, e);
    }
    pids.sort(null);
    return pids;
  }

  /**
   * The libraries a process maps that carry live-patchable padding, by path. A library that cannot
   * be read (see {@link MappedFiles}) is not listed; {@code unreadable} gets why.
   */
  public static List<String> livePatchableLibraries(ProcessMaps maps, MappedFiles files, Consumer<String> unreadable) {
    List<String> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Mapping m : maps.mappings()) {
      if (m.offset() != 0 || m.inode() == 0 || !m.basename().contains(".so") || seen.contains(m.path())) {
        continue;
      }
      seen.add(m.path());
      try {
        Integer n = files.fact(maps.via(), m, "patchable", elf -> MappedFiles.unchecked(() -> elf.patchableEntries().length));
        if (n != null && n > 0) {
          out.add(m.path());
        }
      } catch (IOException e) {
        unreadable.accept(e.getMessage());
      }
    }
    return out;
  }
}
