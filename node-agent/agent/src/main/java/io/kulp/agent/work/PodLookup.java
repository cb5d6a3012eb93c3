package io.kulp.agent.work;

import java.util.Optional;

/** The kubelet's current view of this node's pods (the agent's pod watch). */
public interface PodLookup {

  /**
   * The container ID the pod's status reports now for {@code container}, if the pod with that uid
   * is known and the container has started.
   */
  Optional<String> containerId(String namespace, String pod, String uid, String container);
}
