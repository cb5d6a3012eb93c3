package io.kulp.agent.work;

import java.util.Optional;

/** The kubelet's current view of this node's pods (the agent's pod watch). */
public interface PodLookup {

  /**
   * The container ID the pod's status reports now for {@code container}, if the pod with that uid
   * is known and the container has started.
   */
  Optional<String> containerId(String namespace, String pod, String uid, String container);

  /**
   * Whether kulp's webhook injected the runtime into {@code container} of the pod (its
   * {@code kulp.io/injected} annotation names it): a process there without the runtime was
   * started without the container's environment.
   */
  default boolean injected(String namespace, String pod, String uid, String container) {
    return false;
  }
}
