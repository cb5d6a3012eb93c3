package io.kulp.host;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a container to the processes that run in it, seen from the host: through the container's
 * cgroup directory when the cgroup filesystem has one, else by scanning {@code /proc/*}{@code /cgroup}.
 */
public final class HostContainerProcesses implements ContainerProcesses {
  private final ProcFs procFs;
  private final CgroupFs cgroupFs;
  private final ProcCgroupScan procScan;

  public HostContainerProcesses(HostPaths paths) {
    this.procFs = new ProcFs(paths);
    this.cgroupFs = new CgroupFs(paths);
    this.procScan = new ProcCgroupScan(procFs);
  }

  @Override
  public List<ContainerProcess> find(ContainerId container, String podUid) throws IOException {
    Optional<Path> dir = cgroupFs.findContainerDir(container);
    if (dir.isPresent() && !PodCgroup.belongsTo(dir.get().toString(), podUid)) {
      throw new ContainerElsewhereException(container, podUid, PodCgroup.podUid(dir.get().toString()).orElseThrow());
    }
    Set<Integer> pids = dir.isPresent() ? cgroupFs.pidsUnder(dir.get()) : procScan.pidsOf(container, podUid);
    List<ContainerProcess> processes = new ArrayList<>();
    for (int pid : pids) {
      try {
        processes.add(procFs.describe(pid));
      } catch (NoSuchFileException exited) {
        // gone between the listing and the read
      }
    }
    return processes;
  }

  @Override
  public boolean isRunning(ContainerProcess process) {
    try {
      return procFs.startTime(process.hostPid()) == process.startTime();
    } catch (IOException gone) {
      return false;
    }
  }
}
