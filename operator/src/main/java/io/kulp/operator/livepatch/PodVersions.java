package io.kulp.operator.livepatch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which pods match a selector, and at which resourceVersion, by a consistent read of their
 * metadata only (the API server's {@code PartialObjectMetadataList}): about a third less for the
 * API server to serve than the pods themselves, and far less to decode. {@link #inCache} then
 * decides whether the cache's pods can stand for the pods themselves: when it holds every pod
 * the read lists, each at the version read or a later one, it shows each of them as it was at
 * the read or since. resourceVersions of one resource type are comparable (KEP-5504, Kubernetes
 * 1.35): an integer, larger for a later write; one that is not an integer is only ever equal.
 */
final class PodVersions {

  /** A pod the read listed. */
  record Listed(String namespace, String name, String uid, String resourceVersion) {}

  private static final String ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
  private static final long TIMEOUT_SECONDS = 60;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Page(ListMeta metadata, List<Item> items) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ListMeta(String resourceVersion, @JsonProperty("continue") String continueToken) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Item(ItemMeta metadata) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ItemMeta(String namespace, String name, String uid, String resourceVersion) {}

  private PodVersions() {}

  /** Every pod {@code selector} matches (every pod when null), in pages of {@code page}. */
  static List<Listed> read(KubernetesClient client, LabelSelector selector, long page) {
    List<Listed> listed = new ArrayList<>();
    String query = LabelSelectors.asQuery(selector);
    String next = null;
    do {
      StringBuilder url = new StringBuilder(client.getMasterUrl().toString().replaceAll("/$", ""))
          .append("/api/v1/pods?limit=").append(page);
      if (!query.isEmpty()) {
        url.append("&labelSelector=").append(URLEncoder.encode(query, StandardCharsets.UTF_8));
      }
      if (next != null) {
        url.append("&continue=").append(URLEncoder.encode(next, StandardCharsets.UTF_8));
      }
      Page got = get(client, URI.create(url.toString()));
      if (got.items() != null) {
        for (Item item : got.items()) {
          var m = item.metadata();
          listed.add(new Listed(m.namespace(), m.name(), m.uid(), m.resourceVersion()));
        }
      }
      next = got.metadata() == null ? null : got.metadata().continueToken();
    } while (next != null && !next.isEmpty());
    return listed;
  }

  /**
   * The cache's pods standing for {@code listed}, or empty when the cache lacks one of them or
   * holds an older version of one: the cache is behind the read.
   */
  static Optional<List<Pod>> inCache(List<Listed> listed, ClusterCaches caches) {
    List<Pod> pods = new ArrayList<>(listed.size());
    for (Listed l : listed) {
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

  private static Page get(KubernetesClient client, URI uri) {
    var http = client.getHttpClient();
    var request = http.newHttpRequestBuilder().uri(uri).header("Accept", ACCEPT).build();
    try {
      var response = http.sendAsync(request, byte[].class).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!response.isSuccessful()) {
        throw new KubernetesClientException("LIST " + uri + " answered " + response.code() + ": "
            + new String(response.body() == null ? new byte[0] : response.body(), StandardCharsets.UTF_8),
            response.code(), null);
      }
      return JSON.readValue(response.body(), Page.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while listing " + uri, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException("LIST " + uri + " failed: " + e, e);
    }
  }
}
