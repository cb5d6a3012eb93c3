package io.kulp.operator.livepatch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A consistent LIST of one resource type's objects as their metadata only: the API server's
 * {@code PartialObjectMetadataList}, which fabric8's client does not offer, so it is asked for
 * by its Accept header. Of a pod that is about a third of the object; of a node, whose status
 * lists its images, far less. No resourceVersion is given, so the API server answers with every
 * write completed before the request; the later pages are served from the first page's snapshot,
 * so all pages are one consistent read. Each page is decoded as it arrives, keeping only an
 * {@link Item} of each object, and must arrive whole within a bound.
 */
final class MetadataList {

  /** What the read keeps of an object. */
  record Item(String namespace, String name, String uid, String resourceVersion,
      Map<String, String> labels) {}

  private static final String ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
  /** One page's bound, from the request to the last byte of its answer. */
  private static final long TIMEOUT_SECONDS = 60;
  /** Ends the pages whose answer is still arriving at their deadline. */
  private static final ScheduledExecutorService DEADLINES =
      Executors.newSingleThreadScheduledExecutor(BoundedFanOut.daemonThreads("kulp-list-deadline"));
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Page(ListMeta metadata, List<PageItem> items) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ListMeta(String resourceVersion, @JsonProperty("continue") String continueToken) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record PageItem(Item metadata) {}

  private MetadataList() {}

  /**
   * Every object under {@code path} (e.g. {@code /api/v1/pods}, all namespaces) that
   * {@code labelSelector} (the query parameter's form; empty for all) matches, in pages of
   * {@code page}.
   */
  static List<Item> read(KubernetesClient client, String path, String labelSelector, long page) {
    List<Item> items = new ArrayList<>();
    String next = null;
    do {
      StringBuilder url = new StringBuilder(client.getMasterUrl().toString().replaceAll("/$", ""))
          .append(path).append("?limit=").append(page);
      if (!labelSelector.isEmpty()) {
        url.append("&labelSelector=").append(URLEncoder.encode(labelSelector, StandardCharsets.UTF_8));
      }
      if (next != null) {
        url.append("&continue=").append(URLEncoder.encode(next, StandardCharsets.UTF_8));
      }
      Page got = get(client, URI.create(url.toString()));
      if (got.items() != null) {
        got.items().forEach(i -> items.add(i.metadata()));
      }
      next = got.metadata() == null ? null : got.metadata().continueToken();
    } while (next != null && !next.isEmpty());
    return items;
  }

  private static Page get(KubernetesClient client, URI uri) {
    return get(client, uri, TIMEOUT_SECONDS);
  }

  /**
   * One page, decoded as it arrives (a page of thousands of objects is never held as bytes), or
   * a failure when it has not arrived whole within {@code timeoutSeconds} of the request: a
   * deadline closes the answer's stream under the decoder.
   */
  static Page get(KubernetesClient client, URI uri, long timeoutSeconds) {
    var http = client.getHttpClient();
    var request = http.newHttpRequestBuilder().uri(uri).header("Accept", ACCEPT).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try {
      var response = http.sendAsync(request, InputStream.class).get(timeoutSeconds, TimeUnit.SECONDS);
      try (InputStream body = response.body()) {
        // Marked before the close: the decoder can fail on the close before the closing task ends.
        var expired = new AtomicBoolean();
        var expiry = DEADLINES.schedule(() -> {
          expired.set(true);
          closeQuietly(body);
        }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        try {
          if (!response.isSuccessful()) {
            throw new KubernetesClientException("LIST " + uri + " answered " + response.code()
                + ": " + new String(body.readNBytes(4096), StandardCharsets.UTF_8), response.code(), null);
          }
          return JSON.readValue(body, Page.class);
        } catch (IOException e) {
          if (expired.get()) {
            throw new KubernetesClientException("LIST " + uri + " not answered whole within "
                + timeoutSeconds + " s", e);
          }
          throw e;
        } finally {
          expiry.cancel(false);
        }
      }
    } catch (IOException e) { // a broken connection or answer, named with its LIST
      throw new KubernetesClientException("LIST " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while listing " + uri, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException("LIST " + uri + " failed: " + e, e);
    }
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException e) {
      // the decoder fails on it either way
    }
  }
}
