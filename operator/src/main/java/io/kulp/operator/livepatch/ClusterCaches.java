package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.TargetSpec;

/**
 * The operator's cached knowledge of the pods, namespaces and nodes that decide a LivePatch's
 * targets (informers in production). A cache may lag behind the API server; see
 * {@link TargetConfirmation} for what is never concluded from it alone.
 */
public interface ClusterCaches {

  /** True when every cache holds the complete initial list; false: nothing may be concluded. */
  boolean synced();

  /**
   * What the caches hold now: every namespace and node, and the pods that {@code target}'s pod
   * and namespace selectors can match (at least those; {@link TargetResolver} applies every rule).
   * A null {@code target}: no pods.
   */
  TargetResolver.ClusterView view(TargetSpec target);

  /** The pod {@code namespace/name} as the cache holds it now; null when it holds none. */
  io.fabric8.kubernetes.api.model.Pod pod(String namespace, String name);
}
