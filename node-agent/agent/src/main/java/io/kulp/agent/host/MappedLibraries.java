package io.kulp.agent.host;

import io.kulp.host.HostPaths;
import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The basenames of the files a process maps, from {@code /proc/PID/maps}: enough to tell, without
 * touching the process, whether it has the kulp runtime and the target library at all.
 */
public final class MappedLibraries {
  private final Set<String> basenames;

  private MappedLibraries(Set<String> basenames) {
    this.basenames = basenames;
  }

  /** Reads the maps of {@code pid}; throws {@link java.nio.file.NoSuchFileException} once it is gone. */
  public static MappedLibraries of(HostPaths host, int pid) throws IOException {
    Set<String> names = new HashSet<>();
    // Through a live thread's entry if the main thread has exited (its own maps are then empty).
    List<String> lines = ProcessEntry.read(host.proc(), pid, e -> Files.readAllLines(e.resolve("maps")),
        List::isEmpty).value();
    for (String line : lines) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String path = line.substring(slash);
      if (path.endsWith(" (deleted)")) {
        path = path.substring(0, path.length() - " (deleted)".length());
      }
      names.add(path.substring(path.lastIndexOf('/') + 1));
    }
    return new MappedLibraries(names);
  }

  /** Whether libpulp.so (or a versioned libpulp.so.N) is mapped. */
  public boolean hasRuntime() {
    return basenames.stream().anyMatch(n -> n.equals("libpulp.so") || n.startsWith("libpulp.so."));
  }

  /** Whether a file with this basename is mapped. */
  public boolean has(String basename) {
    return basenames.contains(basename);
  }
}
