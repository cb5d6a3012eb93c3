package io.kulp.operator.testing;

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

  public void unsynced(boolean value) {
    unsynced = value;
  }

  /** Shows everything the informers hold again. */
  public void catchUp() {
    hiddenPodNamespaces.clear();
    hiddenPods.clear();
    unsynced = false;
  }

  @Override
  public boolean synced() {
    return !unsynced && real.synced();
  }

  @Override
  public TargetResolver.ClusterView view() {
    if (unsynced) {
      return new TargetResolver.ClusterView(List.of(), List.of(), List.of());
    }
    var view = real.view();
    return new TargetResolver.ClusterView(view.pods().stream()
        .filter(p -> !hiddenPodNamespaces.contains(p.getMetadata().getNamespace()))
        .filter(p -> !hiddenPods.contains(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())).toList(),
        view.namespaces(), view.nodes());
  }
}
