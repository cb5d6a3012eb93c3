package io.kulp.host;

import java.io.IOException;
import java.util.List;
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
    Set<String> names = container.cgroupDirNames();
    Set<Integer> pids = new TreeSet<>();
    for (int pid : procFs.pids()) {
      if (inContainer(pid, names)) {
        pids.add(pid);
      }
    }
    return pids;
  }

  private boolean inContainer(int pid, Set<String> names) {
    List<String> cgroupPaths;
    try {
      cgroupPaths = procFs.cgroupPaths(pid);
    } catch (IOException gone) {
      return false; // exited since the listing, or a kernel thread we may not read
    }
    for (String path : cgroupPaths) {
      for (String segment : path.split("/")) {
        if (names.contains(segment)) {
          return true;
        }
      }
    }
    return false;
  }
}
