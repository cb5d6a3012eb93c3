package io.kulp.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds a container's cgroup directory in the host's cgroup filesystem and reads the PIDs in it.
 *
 * <p>Runtimes and kubelet place the directory differently, for example (v2 under the root, v1
 * under each hierarchy such as {@code memory/}):
 *
 * <ul>
 *   <li>systemd driver: {@code kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope},
 *       {@code .../crio-<id>.scope} (crun adds a {@code container/} child on v2),
 *       {@code system.slice/docker-<id>.scope};
 *   <li>cgroupfs driver: {@code kubepods/burstable/pod<uid>/<id>}, {@code kubepods/pod<uid>/crio-<id>},
 *       {@code docker/<id>}.
 * </ul>
 *
 * Rather than rebuild those paths, which also depend on kubelet's {@code --cgroup-root} and on the
 * QoS class, the tree is searched for a directory with one of the container's names
 * ({@link ContainerId#cgroupDirNames()}).
 */
public final class CgroupFs {
  /** Deep enough for kubelet's layouts under a custom cgroup root or inside a nested node. */
  private static final int MAX_DEPTH = 12;
  /**
   * On cgroup v1 and hybrid hosts every process is in one cgroup of each hierarchy. These are the
   * hierarchies that runc, crun and systemd always place containers in; the others follow.
   */
  private static final List<String> PREFERRED_V1_HIERARCHIES = List.of("unified", "systemd", "pids", "memory");

  private final HostPaths paths;

  public CgroupFs(HostPaths paths) {
    this.paths = paths;
  }

  /** Whether the cgroup root is a cgroup v2 (unified) hierarchy rather than a v1 or hybrid layout. */
  public boolean isUnified() {
    return Files.exists(paths.cgroupRoot().resolve("cgroup.controllers"));
  }

  /** The hierarchies to search: the root on cgroup v2, each mounted hierarchy on v1 and hybrid. */
  public List<Path> hierarchies() throws IOException {
    Path root = paths.cgroupRoot();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    if (isUnified()) {
      return List.of(root);
    }
    List<Path> hierarchies = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        if (Files.exists(entry.resolve("cgroup.procs"))) {
          hierarchies.add(entry);
        }
      }
    }
    hierarchies.sort(Comparator.comparingInt(CgroupFs::preference).thenComparing(Path::toString));
    return hierarchies;
  }

  /** The container's cgroup directory in the first hierarchy that has one. */
  public Optional<Path> findContainerDir(ContainerId container) throws IOException {
    Set<String> names = container.cgroupDirNames();
    for (Path hierarchy : hierarchies()) {
      Optional<Path> dir = search(hierarchy, names, 0);
      if (dir.isPresent()) {
        return dir;
      }
    }
    return Optional.empty();
  }

  /**
   * The PIDs in {@code cgroup.procs} of the directory and of every directory below it: a runtime
   * or the container itself may create child cgroups (crun's {@code container/}, nested runtimes),
   * and on cgroup v2 processes live only in the leaves.
   */
  public Set<Integer> pidsUnder(Path dir) {
    Set<Integer> pids = new TreeSet<>();
    collectPids(dir, pids, 0);
    return pids;
  }

  private static Optional<Path> search(Path dir, Set<String> names, int depth) {
    if (depth > MAX_DEPTH) {
      return Optional.empty();
    }
    for (Path child : subdirectories(dir)) {
      if (names.contains(child.getFileName().toString())) {
        return Optional.of(child);
      }
      Optional<Path> found = search(child, names, depth + 1);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static void collectPids(Path dir, Set<Integer> pids, int depth) {
    try {
      for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
        if (!line.isBlank()) {
          pids.add(Integer.parseInt(line.trim()));
        }
      }
    } catch (IOException gone) {
      // The cgroup was removed while we read it: its processes are gone too.
    }
    if (depth < MAX_DEPTH) {
      for (Path child : subdirectories(dir)) {
        collectPids(child, pids, depth + 1);
      }
    }
  }

  /** Subdirectories, without following links; a cgroup removed meanwhile has none. */
  private static List<Path> subdirectories(Path dir) {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path entry : entries) {
        if (!Files.isSymbolicLink(entry)) {
          children.add(entry);
        }
      }
    } catch (IOException gone) {
      return List.of();
    }
    return children;
  }

  private static int preference(Path hierarchy) {
    int index = PREFERRED_V1_HIERARCHIES.indexOf(hierarchy.getFileName().toString());
    return index < 0 ? PREFERRED_V1_HIERARCHIES.size() : index;
  }
}
