package io.kulp.operator.webhook;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.kulp.api.KulpConstants;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook's work on one pod being created: asks {@link InjectionPolicy} whether and where, and
 * has {@link RuntimeInjection} change the pod. A pod that was not opted in, or was injected before,
 * comes back unchanged, so every invocation after the first is a no-op.
 */
final class PodInjector {

  private final InjectionPolicy policy;
  private final String runtimeImage;

  PodInjector(InjectionPolicy policy, String runtimeImage) {
    this.policy = policy;
    this.runtimeImage = runtimeImage;
  }

  /** Whether the pod itself asks for the runtime (its own label), whatever its namespace says. */
  boolean optedInByPod(Pod pod) {
    return KulpConstants.INJECT_ENABLED.equals(InjectionPolicy.labels(pod.getMetadata().getLabels())
        .get(KulpConstants.LABEL_INJECT));
  }

  /** Changes {@code pod} (of {@code namespace}, whose labels are {@code namespaceLabels}) in place. */
  void inject(Pod pod, String namespace, Map<String, String> namespaceLabels) {
    InjectionPolicy.PodVerdict verdict = policy.forPod(namespace, namespaceLabels, pod);
    if (!verdict.optedIn()) {
      return;
    }
    if (verdict.skipped().isPresent()) {
      RuntimeInjection.skip(pod, List.of(verdict.skipped().get()));
      return;
    }
    List<String> chosen = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      Optional<String> why = policy.forContainer(pod, c);
      if (why.isPresent()) {
        skipped.add(c.getName() + ": " + why.get());
      } else {
        chosen.add(c.getName());
      }
    }
    if (chosen.isEmpty()) {
      RuntimeInjection.skip(pod, skipped);
      return;
    }
    Optional<String> noStaging = policy.whyNoStaging(namespaceLabels, pod);
    noStaging.ifPresent(why -> skipped.add("staging: " + why));
    RuntimeInjection.apply(pod, runtimeImage, chosen, noStaging.isEmpty(), skipped);
  }
}
