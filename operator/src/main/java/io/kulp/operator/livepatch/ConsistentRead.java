package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.NamespaceList;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.v1alpha1.TargetSpec;

/**
 * Reads the namespaces, nodes and pods a LivePatch's targets depend on straight from the API
 * server, never from a cache: LISTs without a resourceVersion, which the API server serves as
 * consistent reads (every write completed before the request is in the answer). Nodes and pods
 * are filtered by the server with the LivePatch's selectors; {@link TargetResolver} applies the
 * rest.
 */
final class ConsistentRead {

  /**
   * @param view what the API server holds
   * @param resourceVersion the first list's resourceVersion: every object written at or before
   *     it is in {@code view} (unless deleted since)
   */
  record Result(TargetResolver.ClusterView view, String resourceVersion) {}

  private ConsistentRead() {}

  static Result of(KubernetesClient client, TargetSpec target) {
    NamespaceList namespaces = client.namespaces().list();
    NodeList nodes = target.nodeSelector == null || target.nodeSelector.isEmpty()
        ? client.nodes().list()
        : client.nodes().withLabels(target.nodeSelector).list();
    PodList pods = target.podSelector == null
        ? client.pods().inAnyNamespace().list()
        : client.pods().inAnyNamespace().withLabelSelector(target.podSelector).list();
    return new Result(new TargetResolver.ClusterView(pods.getItems(), namespaces.getItems(),
        nodes.getItems()), namespaces.getMetadata().getResourceVersion());
  }
}
