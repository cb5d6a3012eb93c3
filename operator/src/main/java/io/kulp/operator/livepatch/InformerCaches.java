package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kulp.api.v1alpha1.LivePatch;
import java.util.stream.Stream;

/** {@link ClusterCaches} read from the reconciler's pod, namespace and node informers. */
final class InformerCaches implements ClusterCaches {

  private final InformerEventSource<Pod, LivePatch> pods;
  private final InformerEventSource<Namespace, LivePatch> namespaces;
  private final InformerEventSource<Node, LivePatch> nodes;

  InformerCaches(InformerEventSource<Pod, LivePatch> pods,
      InformerEventSource<Namespace, LivePatch> namespaces,
      InformerEventSource<Node, LivePatch> nodes) {
    this.pods = pods;
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
  public TargetResolver.ClusterView view() {
    return new TargetResolver.ClusterView(pods.list().toList(), namespaces.list().toList(),
        nodes.list().toList());
  }
}
