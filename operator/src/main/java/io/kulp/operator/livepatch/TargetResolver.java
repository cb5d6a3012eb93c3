package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Chooses the nodes of a LivePatch: the nodes (matching nodeSelector) that run pods matching the
 * namespace and pod selectors, each with its targeted pods and containers.
 */
public final class TargetResolver {

  /** What the resolver looks at: the informer caches' contents. */
  public record ClusterView(Collection<Pod> pods, Collection<Namespace> namespaces,
      Collection<Node> nodes) {}

  /** Node name to its targeted pods (sorted by namespace, name), for nodes with any target. */
  public SortedMap<String, List<TargetPod>> resolve(TargetSpec target, ClusterView cluster) {
    return resolve(target, null, cluster);
  }

  /**
   * As {@link #resolve(TargetSpec, ClusterView)}, with each pod outside the namespaces of
   * {@code failuresCountIn} (the failure policy's namespaceSelector; null: all) marked
   * {@code countFailures: false}.
   */
  public SortedMap<String, List<TargetPod>> resolve(TargetSpec target, LabelSelector failuresCountIn,
      ClusterView cluster) {
    Map<String, Node> nodes = cluster.nodes().stream()
        .filter(n -> LabelSelectors.matchesAll(target.nodeSelector, n.getMetadata().getLabels()))
        .collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n));
    Set<String> namespaces = namespaces(target.namespaceSelector, cluster);
    Set<String> counted = failuresCountIn == null ? namespaces : namespaces(failuresCountIn, cluster);

    SortedMap<String, List<TargetPod>> byNode = new TreeMap<>();
    for (Pod pod : cluster.pods()) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (node == null || !nodes.containsKey(node) || !isLive(pod)
          || !namespaces.contains(pod.getMetadata().getNamespace())
          || !LabelSelectors.matches(target.podSelector, pod.getMetadata().getLabels())) {
        continue;
      }
      TargetPod tp = toTarget(pod, target.containers);
      if (!counted.contains(tp.namespace)) {
        tp.countFailures = false;
      }
      if (!tp.containers.isEmpty()) {
        byNode.computeIfAbsent(node, k -> new ArrayList<>()).add(tp);
      }
    }
    byNode.values().forEach(l -> l.sort(
        Comparator.comparing((TargetPod p) -> p.namespace).thenComparing(p -> p.name)));
    return byNode;
  }

  private static Set<String> namespaces(LabelSelector selector, ClusterView cluster) {
    return cluster.namespaces().stream()
        .filter(ns -> LabelSelectors.matches(selector, ns.getMetadata().getLabels()))
        .map(ns -> ns.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  /** A pod whose processes may still run: not being deleted and not terminated. */
  private static boolean isLive(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null
        && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  private static TargetPod toTarget(Pod pod, List<String> wanted) {
    TargetPod tp = new TargetPod();
    tp.namespace = pod.getMetadata().getNamespace();
    tp.name = pod.getMetadata().getName();
    tp.uid = pod.getMetadata().getUid();
    Map<String, String> ids = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
        ? Map.of()
        : pod.getStatus().getContainerStatuses().stream()
            .filter(s -> s.getContainerID() != null && !s.getContainerID().isEmpty())
            .collect(Collectors.toMap(ContainerStatus::getName, ContainerStatus::getContainerID,
                (a, b) -> a));
    for (Container c : pod.getSpec().getContainers()) {
      if (wanted == null || wanted.isEmpty() || wanted.contains(c.getName())) {
        TargetContainer tc = new TargetContainer();
        tc.name = c.getName();
        tc.containerID = ids.get(c.getName());
        tp.containers.add(tc);
      }
    }
    tp.containers.sort(Comparator.comparing(c -> c.name));
    return tp;
  }
}
