package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which LivePatches a pod event wakes: those whose pod and namespace selectors match the pod (it
 * may be a new target), and those with a LivePatchNode on the pod's node (it may have been a
 * target: a pod whose labels no longer match, or that is gone). Every other LivePatch's targets
 * cannot change with this pod, so a cluster's unrelated pods wake none.
 *
 * <p>One case is woken later than before: a pod that stops matching a LivePatch whose rollout has
 * not started its node yet. That LivePatch leaves the node out at its next reconcile, which its
 * other nodes' reports, a spec change or a requeue bring.
 */
final class PodEventTargets {

  private PodEventTargets() {}

  /**
   * @param namespaceLabels a namespace's labels by its name, empty when the namespace is unknown
   *     (the pod then matches any namespaceSelector: waking too many is safe, too few is not)
   * @param hasNodeOn whether a LivePatch (by name) has a LivePatchNode for a node (by name)
   */
  static Set<ResourceID> of(Pod pod, Stream<LivePatch> livePatches,
      Function<String, Optional<Map<String, String>>> namespaceLabels,
      BiPredicate<String, String> hasNodeOn) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return livePatches
        .filter(lp -> mayTarget(lp, pod, namespaceLabels)
            || (node != null && hasNodeOn.test(lp.getMetadata().getName(), node)))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static boolean mayTarget(LivePatch lp, Pod pod,
      Function<String, Optional<Map<String, String>>> namespaceLabels) {
    TargetSpec target = lp.getSpec() == null ? null : lp.getSpec().target;
    if (target == null) {
      return true; // invalid: its reconcile says so; nothing to save here
    }
    try {
      return LabelSelectors.matches(target.podSelector, pod.getMetadata().getLabels())
          && namespaceLabels.apply(pod.getMetadata().getNamespace())
              .map(labels -> LabelSelectors.matches(target.namespaceSelector, labels))
              .orElse(true);
    } catch (IllegalArgumentException e) {
      return true; // an unknown selector operator: the validator reports it
    }
  }
}
