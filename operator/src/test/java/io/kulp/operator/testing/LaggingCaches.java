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
        .map(this::asCached).toList(),
        view.namespaces(), view.nodes());
  }

  @Override
  public Pod pod(String namespace, String name) {
    Pod pod = unsynced || hiddenPodNamespaces.contains(namespace) ? null : real.pod(namespace, name);
    return pod == null || hiddenPods.contains(key(pod)) ? null : asCached(pod);
  }

  /** The pod, or the version before its status was written: no status, the resourceVersion before. */
  private Pod asCached(Pod pod) {
    if (!podsWithoutStatus.contains(key(pod))) {
      return pod;
    }
    String version = pod.getMetadata().getResourceVersion();
    return new PodBuilder(pod).withStatus(null).editMetadata()
        .withResourceVersion(version == null ? null : Long.toString(Long.parseLong(version) - 1)).endMetadata()
        .build();
  }
}
