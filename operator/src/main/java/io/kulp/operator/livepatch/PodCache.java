package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The pod informer's store: each pod kept as a {@link PodSummary}, indexed by label
 * ({@code key=value}) and by namespace, so that the pods a LivePatch's selectors can match are
 * found without looking at the others ({@link #matching}). The informer writes it (one writer at a
 * time); reconciles and event mappers read it concurrently.
 */
final class PodCache implements ItemStore<Pod> {

  /**
   * The pods {@link #matching} found, and how many cached pods it looked at to find them (at most
   * the pods of the smallest index entry the selectors allow; every pod when they allow none).
   */
  record Matches(List<Pod> pods, int visited) {}

  private final Map<String, PodSummary> pods = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byLabel = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byNamespace = new ConcurrentHashMap<>();

  @Override
  public String getKey(Pod pod) {
    return Cache.metaNamespaceKeyFunc(pod);
  }

  @Override
  public synchronized Pod put(String key, Pod pod) {
    PodSummary summary = PodSummary.of(pod);
    PodSummary old = pods.put(key, summary);
    if (old != null) {
      unindex(key, old);
    }
    index(key, summary);
    return old == null ? null : old.toPod();
  }

  @Override
  public synchronized Pod remove(String key) {
    PodSummary old = pods.remove(key);
    if (old == null) {
      return null;
    }
    unindex(key, old);
    return old.toPod();
  }

  @Override
  public Stream<String> keySet() {
    return pods.keySet().stream();
  }

  @Override
  public Stream<Pod> values() {
    return pods.values().stream().map(PodSummary::toPod);
  }

  @Override
  public int size() {
    return pods.size();
  }

  @Override
  public Pod get(String key) {
    PodSummary summary = pods.get(key);
    return summary == null ? null : summary.toPod();
  }

  /**
   * The pods whose labels match {@code podSelector} (null: every pod) in one of
   * {@code namespaces} (null: any namespace). Looks only at the pods of the smallest index entry
   * the selectors allow: a matchLabels entry, an {@code In} expression (the union of its values) or
   * the namespaces (their union); at every pod when the selector has none of these and
   * {@code namespaces} is null.
   */
  Matches matching(LabelSelector podSelector, Set<String> namespaces) {
    Collection<Set<String>> smallest = null;
    long smallestSize = Long.MAX_VALUE;
    for (List<Set<String>> candidate : candidates(podSelector, namespaces)) {
      long size = candidate.stream().mapToLong(Set::size).sum();
      if (size < smallestSize) {
        smallest = candidate;
        smallestSize = size;
      }
    }
    List<Pod> found = new ArrayList<>();
    int visited = 0;
    Iterable<PodSummary> looked = smallest == null ? pods.values()
        : smallest.stream().flatMap(Set::stream).map(pods::get)::iterator;
    for (PodSummary pod : looked) {
      if (pod == null) {
        continue; // removed meanwhile
      }
      visited++;
      if ((namespaces == null || namespaces.contains(pod.namespace()))
          && LabelSelectors.matches(podSelector, pod.labelMap())) {
        found.add(pod.toPod());
      }
    }
    return new Matches(found, visited);
  }

  /** Each entry: index sets whose union holds every pod the selectors can match. */
  private List<List<Set<String>>> candidates(LabelSelector podSelector, Set<String> namespaces) {
    List<List<Set<String>>> candidates = new ArrayList<>();
    if (podSelector != null && podSelector.getMatchLabels() != null) {
      podSelector.getMatchLabels().forEach((k, v) -> candidates.add(List.of(labelled(k, v))));
    }
    if (podSelector != null && podSelector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : podSelector.getMatchExpressions()) {
        if ("In".equals(r.getOperator()) && r.getValues() != null) {
          candidates.add(r.getValues().stream().distinct().map(v -> labelled(r.getKey(), v)).toList());
        }
      }
    }
    if (namespaces != null) {
      candidates.add(namespaces.stream()
          .map(ns -> byNamespace.getOrDefault(ns, Set.of())).toList());
    }
    return candidates;
  }

  private Set<String> labelled(String key, String value) {
    return byLabel.getOrDefault(Labels.pair(key, value), Set.of());
  }

  private void index(String key, PodSummary pod) {
    String[] labels = pod.labels();
    if (labels != null) {
      for (int i = 0; i < labels.length; i += 2) {
        byLabel.computeIfAbsent(Labels.pair(labels[i], labels[i + 1]),
            k -> ConcurrentHashMap.newKeySet()).add(key);
      }
    }
    byNamespace.computeIfAbsent(pod.namespace(), k -> ConcurrentHashMap.newKeySet()).add(key);
  }

  private void unindex(String key, PodSummary pod) {
    String[] labels = pod.labels();
    if (labels != null) {
      for (int i = 0; i < labels.length; i += 2) {
        remove(byLabel, Labels.pair(labels[i], labels[i + 1]), key);
      }
    }
    remove(byNamespace, pod.namespace(), key);
  }

  private static void remove(Map<String, Set<String>> index, String entry, String key) {
    index.computeIfPresent(entry, (k, keys) -> {
      keys.remove(key);
      return keys.isEmpty() ? null : keys;
    });
  }
}
