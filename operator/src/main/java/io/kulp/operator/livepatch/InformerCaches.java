package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@link ClusterCaches} read from the reconciler's pod, namespace and node informers. Pods are
 * looked up in the pod informer's {@link PodCache} by the LivePatch's selectors, never copied
 * wholesale.
 */
final class InformerCaches implements ClusterCaches {

  private final InformerEventSource<Pod, LivePatch> pods;
  private final PodCache podCache;
  private final InformerEventSource<Namespace, LivePatch> namespaces;
  private final InformerEventSource<Node, LivePatch> nodes;

  /** @param podCache the store of {@code pods} */
  InformerCaches(InformerEventSource<Pod, LivePatch> pods, PodCache podCache,
      InformerEventSource<Namespace, LivePatch> namespaces,
      InformerEventSource<Node, LivePatch> nodes) {
    this.pods = pods;
    this.podCache = podCache;
    this.namespaces = namespaces;
    this.nodes = nodes;
  }

  @Override
  public boolean synced() {
    return Stream.of(pods, namespaces, nodes).allMatch(InformerCaches::synced);
  }

  /** True when each informer of {@code source} (one per watched namespace) has synced. */
  static boolean synced(InformerEventSource<?, ?> source) {
    var informers = source.informerHealthIndicators().values();
    return !informers.isEmpty() && informers.stream().allMatch(InformerHealthIndicator::hasSynced);
  }

  @Override
  public TargetResolver.ClusterView view(TargetSpec target) {
    List<Namespace> allNamespaces = namespaces.list().toList();
    List<Pod> candidates = target == null ? List.of()
        : podCache.matching(target.podSelector, namespacesMatching(target, allNamespaces)).pods();
    return new TargetResolver.ClusterView(candidates, allNamespaces, nodes.list().toList());
  }

  @Override
  public Pod pod(String namespace, String name) {
    return podCache.get(namespace + "/" + name);
  }

  /** The names of the namespaces {@code target} selects; null when it selects every namespace. */
  private static Set<String> namespacesMatching(TargetSpec target, List<Namespace> namespaces) {
    if (target.namespaceSelector == null) {
      return null;
    }
    return namespaces.stream()
        .filter(ns -> LabelSelectors.matches(target.namespaceSelector, ns.getMetadata().getLabels()))
        .map(ns -> ns.getMetadata().getName())
        .collect(Collectors.toSet());
  }
}
