package io.kulp.host;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds a container's processes by reading {@code /proc/PID/cgroup} of every process on the host:
 * the fallback when the cgroup filesystem is not mounted where the agent looks, or holds no
 * directory with the container's name. It costs one file read per host process, and one more
 * for a process shown in the root of every hierarchy (see {@link ProcFs#cgroupPaths(int)}).
 */
public final class ProcCgroupScan {
  private final ProcFs procFs;

  public ProcCgroupScan(ProcFs procFs) {
    this.procFs = procFs;
  }

  /** The host PIDs whose cgroup path, in any hierarchy, has a segment named after the container. */
  public Set<Integer> pidsOf(ContainerId container) throws IOException {
    return pidsOf(container, null);
  }

  /**
   * Like {@link #pidsOf(ContainerId)}, with the container's cgroup required to be the pod's
   * ({@link PodCgroup}); null for no such check.
   */
  public Set<Integer> pidsOf(ContainerId container, String podUid) throws IOException {
    Set<String> names = container.cgroupDirNames();
    Set<Integer> pids = new TreeSet<>();
    for (int pid : procFs.pids()) {
      Optional<String> path = containerPath(pid, names);
      if (path.isPresent()) {
        if (!PodCgroup.belongsTo(path.get(), podUid)) {
          throw new ContainerElsewhereException(container, podUid, PodCgroup.podUid(path.get()).orElseThrow());
        }
        pids.add(pid);
      }
    }
    return pids;
  }

  /** The cgroup path of {@code pid} that has a segment named after the container, if any. */
  private Optional<String> containerPath(int pid, Set<String> names) {
    List<String> cgroupPaths;
    try {
      cgroupPaths = procFs.cgroupPaths(pid);
    } catch (IOException gone) {
      return Optional.empty(); // exited since the listing, or a kernel thread we may not read
    }
    for (String path : cgroupPaths) {
      for (String segment : path.split("/")) {
        if (names.contains(segment)) {
          return Optional.of(path);
        }
      }
    }
    return Optional.empty();
  }
}
