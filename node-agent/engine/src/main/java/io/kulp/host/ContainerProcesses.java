package io.kulp.host;

import java.io.IOException;
import java.util.List;

/** The processes of a container, seen from the host; {@link HostContainerProcesses} is the real one. */
public interface ContainerProcesses {

  /**
   * The processes of the container, by host PID. Empty when the container runs no process (or no
   * longer exists). A process that exits while it is being read is left out.
   *
   * @param podUid the UID of the pod whose status names the container; its processes must be in
   *     that pod's cgroup ({@link PodCgroup}); null for no such check
   * @throws ContainerElsewhereException when the container's cgroup is another pod's
   */
  List<ContainerProcess> find(ContainerId container, String podUid) throws IOException;

  /** {@link #find(ContainerId, String)} without the pod check. */
  default List<ContainerProcess> find(ContainerId container) throws IOException {
    return find(container, null);
  }

  /** Whether the process still runs: its PID exists and was not reused by a later process. */
  boolean isRunning(ContainerProcess process);
}
