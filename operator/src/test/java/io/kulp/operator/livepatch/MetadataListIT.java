package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.KubeApiTestCluster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consistent read's LIST of metadata only, against a real API server: what the server's
 * selector matches, over several pages, each object with the uid and resourceVersion the server
 * holds.
 */
class MetadataListIT {

  static KubeApiTestCluster cluster;
  static KubernetesClient client;
  static FakeNodes listed;

  @BeforeAll
  static void startCluster() {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
    listed = new FakeNodes(client, "listed");
    listed.addNodes("a", "b", "c");
    new FakeNodes(client, "elsewhere").addNodes("a");
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  @Test
  void listsTheNodesTheSelectorMatchesWithTheirLabelsOverSeveralPages() {
    var nodes = MetadataList.read(client, "/api/v1/nodes",
        LabelSelectors.asQuery(Map.of(FakeNodes.SCOPE_LABEL, "listed")), 2);

    assertThat(nodes).extracting(MetadataList.Item::name)
        .containsExactlyInAnyOrder("listed-a", "listed-b", "listed-c");
    assertThat(nodes).allSatisfy(n -> {
      assertThat(n.labels()).containsEntry(FakeNodes.SCOPE_LABEL, "listed");
      assertThat(n.namespace()).isNull();
      assertThat(n.uid()).isNotEmpty();
    });
  }

  @Test
  void listsEachMatchingPodAtTheVersionTheServerHolds() {
    Pod one = listed.runPod("web-1", "a", "web", "app");
    Pod two = listed.runPod("web-2", "b", "web", "app");
    Pod three = listed.runPod("web-3", "c", "web", "app");
    listed.runPod("db-1", "a", "db", "app");

    var pods = PodVersions.read(client, new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
        .withMatchLabels(Map.of("app", "web")).build(), 2);

    assertThat(pods).containsExactlyInAnyOrderElementsOf(List.of(one, two, three).stream()
        .map(p -> new MetadataList.Item("listed", p.getMetadata().getName(), p.getMetadata().getUid(),
            p.getMetadata().getResourceVersion(), Map.of("app", "web")))
        .toList());
  }

  @Test
  void aListTheServerRefusesFailsNamingTheRequestAndTheServersAnswer() {
    assertThatThrownBy(() -> MetadataList.read(client, "/api/v1/nodez", "", 10))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("LIST " + client.getMasterUrl().toString().replaceAll("/$", "")
            + "/api/v1/nodez?limit=10 answered 404");
  }
}
