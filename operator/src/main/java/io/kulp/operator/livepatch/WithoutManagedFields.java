package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer store that keeps objects whole except for their managedFields, which kulp never
 * reads: for LivePatchNodes (written by the operator and by an agent, so two field managers each)
 * and agents' Leases, one of each per node, they are most of an object's size in memory.
 */
final class WithoutManagedFields<R extends HasMetadata> extends BasicItemStore<R> {

  WithoutManagedFields() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public R put(String key, R obj) {
    obj.getMetadata().setManagedFields(null);
    return super.put(key, obj);
  }
}
