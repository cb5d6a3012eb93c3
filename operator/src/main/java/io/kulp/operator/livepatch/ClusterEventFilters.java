package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.util.List;
import java.util.Objects;

/**
 * Which updates of pods, nodes and namespaces can change a LivePatch's targets. Everything else
 * (a pod's conditions, a node's heartbeats) is dropped before it wakes every LivePatch.
 */
final class ClusterEventFilters {

  private ClusterEventFilters() {}

  static <R extends HasMetadata> boolean labelsChanged(R newR, R oldR) {
    return !Objects.equals(newR.getMetadata().getLabels(), oldR.getMetadata().getLabels());
  }

  /**
   * An agent Lease update matters when it can make its node's agent live again: the previous
   * version had expired by the time of the new renewal (the agent came back), or the holder or
   * the node it names changed. Plain renewals of a live Lease, every few seconds on every node,
   * wake nobody: expiry is noticed by the next reconcile that looks.
   */
  static boolean agentLeaseRevived(Lease newL, Lease oldL) {
    if (!Objects.equals(newL.getMetadata().getAnnotations(), oldL.getMetadata().getAnnotations())
        || newL.getSpec() == null || oldL.getSpec() == null
        || !Objects.equals(newL.getSpec().getHolderIdentity(), oldL.getSpec().getHolderIdentity())) {
      return true;
    }
    var renewed = newL.getSpec().getRenewTime();
    var before = oldL.getSpec().getRenewTime();
    Integer seconds = oldL.getSpec().getLeaseDurationSeconds();
    return renewed == null || before == null || seconds == null
        || renewed.isAfter(before.plusSeconds(seconds));
  }

  static boolean podChangeMatters(Pod newPod, Pod oldPod) {
    return labelsChanged(newPod, oldPod)
        || !Objects.equals(newPod.getSpec().getNodeName(), oldPod.getSpec().getNodeName())
        || !Objects.equals(newPod.getMetadata().getDeletionTimestamp(),
            oldPod.getMetadata().getDeletionTimestamp())
        || !Objects.equals(phase(newPod), phase(oldPod))
        || !Objects.equals(containerIds(newPod), containerIds(oldPod));
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static List<String> containerIds(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
        : pod.getStatus().getContainerStatuses().stream()
            .map(ContainerStatus::getContainerID).toList();
  }
}
