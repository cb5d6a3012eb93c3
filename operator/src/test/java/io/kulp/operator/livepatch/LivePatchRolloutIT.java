package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator against a real kube-apiserver, the tests playing the node agents. */
class LivePatchRolloutIT {

  static KubeApiTestCluster cluster;
  static KubernetesClient client;
  static KulpOperatorApp operator;
  FakeAgents agents;

  @BeforeAll
  static void startClusterAndOperator() {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
    operator = OperatorUnderTest.start(cluster.newClient());
  }

  @AfterAll
  static void stop() throws Exception {
    operator.close();
    cluster.close();
  }

  @BeforeEach
  void agents() {
    agents = new FakeAgents(cluster.newClient());
  }

  @AfterEach
  void closeAgents() {
    agents.close();
  }

  @Test
  void appliesOnTheNodesRunningMatchingPodsAndBecomesCompleteWhenTheyReport() {
    var nodes = new FakeNodes(client, "life");
    nodes.addNodes("a", "b", "c");
    nodes.runPod("web-1", "a", "web", "app", "sidecar");
    nodes.runPod("web-2", "b", "web", "app");
    nodes.runPod("db-1", "c", "db", "app");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("life", "life", "web"), 5);
    lp.getSpec().target.containers = java.util.List.of("app");
    client.resource(lp).create();

    await().untilAsserted(() -> assertThat(nodesOf(client, "life")).containsOnlyKeys(
        nodes.node("a"), nodes.node("b")));
    LivePatchNode onA = nodesOf(client, "life").get(nodes.node("a"));
    assertThat(onA.getMetadata().getName()).isEqualTo("life." + nodes.node("a"));
    assertThat(onA.getMetadata().getLabels()).containsEntry(KulpConstants.LABEL_LIVEPATCH, "life")
        .containsEntry(KulpConstants.LABEL_NODE, nodes.node("a"));
    assertThat(onA.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("LivePatch"));
    assertThat(onA.getSpec().action).isEqualTo(Action.Apply);
    assertThat(onA.getSpec().patch.sha256).isEqualTo(TestLivePatches.SHA_A);
    assertThat(onA.getSpec().targets).singleElement().satisfies(pod -> {
      assertThat(pod.name).isEqualTo("web-1");
      assertThat(pod.uid).isNotBlank();
      assertThat(pod.containers).singleElement().satisfies(c -> {
        assertThat(c.name).isEqualTo("app");
        assertThat(c.containerID).isEqualTo(FakeNodes.containerId("web-1", "app"));
      });
    });
    await().untilAsserted(() -> assertThat(get("life").getStatus().nodesDone).isEqualTo("0/2"));
    assertThat(condition("life", KulpConstants.CONDITION_PROGRESSING)).isEqualTo("True");
    assertThat(condition("life", KulpConstants.CONDITION_COMPLETE)).isEqualTo("False");

    agents.report("life", nodes.node("a"), NodePhase.Succeeded);
    agents.report("life", nodes.node("b"), NodePhase.Succeeded);

    await().untilAsserted(() -> {
      LivePatch done = get("life");
      assertThat(condition("life", KulpConstants.CONDITION_COMPLETE)).isEqualTo("True");
      assertThat(condition("life", KulpConstants.CONDITION_READY)).isEqualTo("True");
      assertThat(condition("life", KulpConstants.CONDITION_DEGRADED)).isEqualTo("False");
      assertThat(condition("life", KulpConstants.CONDITION_PROGRESSING)).isEqualTo("False");
      assertThat(done.getStatus().observedGeneration).isEqualTo(done.getMetadata().getGeneration());
      assertThat(done.getStatus().nodes.done).isEqualTo(2);
      assertThat(done.getStatus().processes.patched).isEqualTo(2);
      assertThat(done.getStatus().nodesDone).isEqualTo("2/2");
    });
    await().untilAsserted(() -> assertThat(client.v1().events().inNamespace("default").list()
        .getItems()).extracting(Event::getReason)
        .contains(KulpConstants.EVENT_NODE_STARTED, KulpConstants.REASON_ALL_NODES_DONE));
  }

  private static LivePatch get(String name) {
    return client.resources(LivePatch.class).withName(name).get();
  }

  private static String condition(String name, String type) {
    LivePatch lp = get(name);
    if (lp.getStatus() == null) {
      return null;
    }
    return Conditions.find(lp.getStatus().conditions, type).map(c -> c.getStatus()).orElse(null);
  }

  @SuppressWarnings("unused")
  private static Duration unused() {
    return Duration.ZERO;
  }
}
