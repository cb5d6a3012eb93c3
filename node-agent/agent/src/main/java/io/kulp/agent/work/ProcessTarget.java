package io.kulp.agent.work;

import io.kulp.host.ContainerProcess;

/**
 * One process of a targeted container, as the agent acts on it and reports it.
 *
 * @param namespace namespace of the pod
 * @param pod name of the pod
 * @param container container name
 * @param containerID the runtime's container ID ({@code containerd://…})
 * @param process the process, seen from the host
 * @param injected whether kulp's webhook gave the container the runtime ({@code kulp.io/injected})
 */
public record ProcessTarget(String namespace, String pod, String container, String containerID,
    ContainerProcess process, boolean injected) {

  /** A process of a container the webhook did not inject. */
  public ProcessTarget(String namespace, String pod, String container, String containerID, ContainerProcess process) {
    this(namespace, pod, container, containerID, process, false);
  }

  /** Host PID and start time: the identity of a process that survives PID reuse. */
  public ProcessKey key() {
    return new ProcessKey(process.hostPid(), process.startTime());
  }

  public int pid() {
    return process.hostPid();
  }

  /** A process named by host PID and start time (ticks after boot). */
  public record ProcessKey(int hostPid, long startTime) {}
}
