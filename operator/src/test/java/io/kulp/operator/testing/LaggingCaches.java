package io.kulp.operator.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kulp.api.v1alpha1.TargetSpec;
import io.kulp.operator.livepatch.ClusterCaches;
import io.kulp.operator.livepatch.TargetResolver;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's real caches, made to lag on demand: pods of some namespaces can be hidden (an
 * informer that has not delivered them yet), and the caches can be made to look not synced
 * (empty, as an informer before its first list). Shows everything by default.
 */
public final class LaggingCaches implements ClusterCaches {

  private final Set<String> hiddenPodNamespaces = ConcurrentHashMap.newKeySet();
  private final Set<String> hiddenPods = ConcurrentHashMap.newKeySet();
  private final Set<String> podsWithoutStatus = ConcurrentHashMap.newKeySet();
  private volatile ClusterCaches real;
  private volatile boolean unsynced;

  /** Installs itself in front of the operator's caches (pass as the operator's caches view). */
  public ClusterCaches wrap(ClusterCaches caches) {
    this.real = caches;
    return this;
  }

  public void hidePodsIn(String namespace) {
    hiddenPodNamespaces.add(namespace);
  }

  /** Hides one pod (namespace/name), as an informer that has delivered the others but not it yet. */
  public void hidePod(String namespace, String name) {
    hiddenPods.add(namespace + "/" + name);
  }

  /**
   * Shows one pod (namespace/name) as first created, without the status the kubelet wrote next
   * (no container IDs), as an informer that has delivered its creation but not its status update.
   */
  public void hideStatusOf(String namespace, String name) {
    podsWithoutStatus.add(namespace + "/" + name);
  }

  public void unsynced(boolean value) {
    unsynced = value;
  }

  /** Shows everything the informers hold again. */
  public void catchUp() {
    hiddenPodNamespaces.clear();
    hiddenPods.clear();
    podsWithoutStatus.clear();
    unsynced = false;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  @Override
  public boolean synced() {
    return !unsynced && real.synced();
  }

  @Override
  public TargetResolver.ClusterView view(TargetSpec target) {
    if (unsynced) {
      return new TargetResolver.ClusterView(List.of(), List.of(), List.of());
    }
    var view = real.view(target);
    return new TargetResolver.ClusterView(view.pods().stream()
        .filter(p -> !hiddenPodNamespaces.contains(p.getMetadata().getNamespace()))
        .filter(p -> !hiddenPods.contains(key(p)))
        .map(p -> podsWithoutStatus.contains(key(p)) ? new PodBuilder(p).withStatus(null).build() : p).toList(),
        view.namespaces(), view.nodes());
  }
}
