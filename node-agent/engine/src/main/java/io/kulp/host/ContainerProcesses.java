package io.kulp.host;

import java.io.IOException;
import java.util.List;

/** The processes of a container, seen from the host; {@link HostContainerProcesses} is the real one. */
public interface ContainerProcesses {

  /**
   * The processes of the container, by host PID. Empty when the container runs no process (or no
   * longer exists). A process that exits while it is being read is left out.
   */
  List<ContainerProcess> find(ContainerId container) throws IOException;

  /** Whether the process still runs: its PID exists and was not reused by a later process. */
  boolean isRunning(ContainerProcess process);
}
