package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.v1alpha1.TargetSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Reads the namespaces, nodes and pods a LivePatch's targets depend on straight from the API
 * server, never from a cache: LISTs without a resourceVersion, which the API server serves as
 * consistent reads (every write completed before the request is in the answer). Nodes and pods
 * are filtered by the server with the LivePatch's selectors; {@link TargetResolver} applies the
 * rest. Nodes and pods are read in pages (the later pages of a LIST are served from the first
 * page's snapshot, so the whole is still one consistent read): the nodes as their metadata only
 * ({@link MetadataList}; their names and labels are all a plan needs), the pods as their metadata
 * first ({@link PodVersions}) and whole only when the cache is behind, kept as the caches keep
 * them ({@link PodSummary}), so that a read of thousands of pods never holds them all as full
 * objects. The namespaces are read first, for the resourceVersion; then the nodes beside the pods,
 * whose read is the long one.
 */
final class ConsistentRead {

  /** Objects per page of a LIST of whole objects (pods, when the cache is behind). */
  static final long PAGE = 500;
  /**
   * Objects per page of a LIST of metadata only: a read of up to 50,000 pods is one request. The
   * API server serves a consistent first page from its watch cache, but a later page from the
   * cache's snapshot of the first only while it keeps one, else from etcd, decoding every pod it
   * passes (in the fleet bench, 105,000 pods and 2–4 s more for the second operator's reads). A
   * page is decoded as it arrives ({@link MetadataList}), so only what is kept of each object is
   * held, a few hundred bytes, however large the page.
   */
  static final long METADATA_PAGE = 50_000;

  /**
   * @param view what the API server holds
   * @param resourceVersion the first list's resourceVersion: every object written at or before
   *     it is in {@code view} (unless deleted since)
   * @param podsFromCache whether the cache's pods stood for the pods read (else they were read)
   * @param took how long the read took
   */
  record Result(TargetResolver.ClusterView view, String resourceVersion, boolean podsFromCache,
      Duration took) {}

  private ConsistentRead() {}

  /** The read, on {@code executor}'s threads (a pool that grows: it runs the node read too). */
  static CompletableFuture<Result> start(KubernetesClient client, TargetSpec target, ClusterCaches caches,
      Executor executor) {
    return CompletableFuture.supplyAsync(() -> of(client, target, caches, executor), executor);
  }

  /**
   * The read, on this thread and one of {@code executor}'s for the nodes. The pods are listed by
   * their metadata first ({@link PodVersions}); when {@code caches} hold every one of them at the
   * version listed or later, the cached pods stand for them, else the pods themselves are read.
   */
  static Result of(KubernetesClient client, TargetSpec target, ClusterCaches caches, Executor executor) {
    long started = System.nanoTime();
    NamespaceList namespaces = client.namespaces().list();
    CompletableFuture<List<Node>> nodes = CompletableFuture.supplyAsync(() -> MetadataList.read(
        client, "/api/v1/nodes", LabelSelectors.asQuery(target.nodeSelector), METADATA_PAGE).stream()
        .map(ConsistentRead::nameAndLabels).toList(), executor);
    var listed = PodVersions.read(client, target.podSelector, METADATA_PAGE);
    var cached = PodVersions.inCache(listed, caches);
    List<Pod> pods = cached.orElseGet(() -> paged(options -> target.podSelector == null
        ? client.pods().inAnyNamespace().list(options)
        : client.pods().inAnyNamespace().withLabelSelector(target.podSelector).list(options),
        pod -> PodSummary.of(pod).toPod()));
    return new Result(new TargetResolver.ClusterView(pods, namespaces.getItems(), join(nodes)),
        namespaces.getMetadata().getResourceVersion(), cached.isPresent(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  /** The read's result, or its failure as thrown by the read itself (a KubernetesClientException). */
  static <T> T join(CompletableFuture<T> read) {
    try {
      return read.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Every page of a LIST, each object kept as {@code keep} makes it. */
  private static <T extends HasMetadata> List<T> paged(
      Function<ListOptions, ? extends KubernetesResourceList<T>> list, Function<T, T> keep) {
    List<T> all = new ArrayList<>();
    String next = null;
    do {
      var page = list.apply(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
      page.getItems().forEach(item -> all.add(keep.apply(item)));
      next = page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return all;
  }

  private static Node nameAndLabels(MetadataList.Item node) {
    Node kept = new Node();
    kept.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(node.name()).withLabels(node.labels()).build());
    return kept;
  }
}
