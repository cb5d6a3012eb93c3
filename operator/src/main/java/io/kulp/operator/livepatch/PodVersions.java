package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which pods match a selector, and at which resourceVersion, by a consistent read of their
 * metadata only ({@link MetadataList}): about a third less for the API server to serve than the
 * pods themselves, and far less to decode. {@link #inCache} then decides whether the cache's pods
 * can stand for the pods themselves: when it holds every pod the read lists, each at the version
 * read or a later one, it shows each of them as it was at the read or since. resourceVersions of
 * one resource type are comparable (KEP-5504, Kubernetes 1.35): an integer, larger for a later
 * write; one that is not an integer is only ever equal.
 */
final class PodVersions {

  private PodVersions() {}

  /** Every pod {@code selector} matches (every pod when null), in pages of {@code page}. */
  static List<MetadataList.Item> read(KubernetesClient client, LabelSelector selector, long page) {
    return MetadataList.read(client, "/api/v1/pods", LabelSelectors.asQuery(selector), page);
  }

  /**
   * The cache's pods standing for {@code listed}, or empty when the cache lacks one of them or
   * holds an older version of one: the cache is behind the read.
   */
  static Optional<List<Pod>> inCache(List<MetadataList.Item> listed, ClusterCaches caches) {
    List<Pod> pods = new ArrayList<>(listed.size());
    for (MetadataList.Item l : listed) {
      Pod pod = caches.pod(l.namespace(), l.name());
      if (pod == null || !l.uid().equals(pod.getMetadata().getUid())
          || !atLeast(pod.getMetadata().getResourceVersion(), l.resourceVersion())) {
        return Optional.empty();
      }
      pods.add(pod);
    }
    return Optional.of(pods);
  }

  /** Whether resourceVersion {@code have} is {@code wanted} or a later one of the same type. */
  static boolean atLeast(String have, String wanted) {
    if (have == null || wanted == null) {
      return false;
    }
    if (have.equals(wanted)) {
      return true;
    }
    try {
      return Long.parseLong(have) > Long.parseLong(wanted);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
