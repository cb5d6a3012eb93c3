package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer store for nodes and namespaces that keeps only what targeting reads of them: name,
 * uid, resourceVersion and labels. A real node object carries its status (conditions, images,
 * addresses, capacity) and managedFields, several kilobytes each, none of which kulp decides on.
 */
final class LabelsOnlyStore<R extends HasMetadata> implements ItemStore<R> {

  private record Entry(String namespace, String name, String uid, String resourceVersion,
      String[] labels) {}

  private final Map<String, Entry> items = new ConcurrentHashMap<>();
  private final Supplier<R> factory;

  /** @param factory a new, empty object of the kind stored (e.g. {@code Node::new}) */
  LabelsOnlyStore(Supplier<R> factory) {
    this.factory = factory;
  }

  @Override
  public String getKey(R obj) {
    return Cache.metaNamespaceKeyFunc(obj);
  }

  @Override
  public R put(String key, R obj) {
    ObjectMeta m = obj.getMetadata();
    return restore(items.put(key, new Entry(m.getNamespace(), m.getName(), m.getUid(),
        m.getResourceVersion(), Labels.flatten(m.getLabels()))));
  }

  @Override
  public R remove(String key) {
    return restore(items.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<R> values() {
    return items.values().stream().map(this::restore);
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public R get(String key) {
    return restore(items.get(key));
  }

  private R restore(Entry e) {
    if (e == null) {
      return null;
    }
    ObjectMeta m = new ObjectMeta();
    m.setNamespace(e.namespace());
    m.setName(e.name());
    m.setUid(e.uid());
    m.setResourceVersion(e.resourceVersion());
    m.setLabels(Labels.map(e.labels()));
    R r = factory.get();
    r.setMetadata(m);
    return r;
  }
}
