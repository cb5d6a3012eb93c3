package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.NodePhase;

import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;

import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Deleting LivePatches and nodes, against a real kube-apiserver; the tests play the agents. */
class LivePatchDeletionIT extends OperatorAgainstApiServer {

  @Test
  void deletingALivePatchRevertsEveryNodeThenRemovesTheFinalizer() {
    var nodes = new FakeNodes(client, "del");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("del", "del", "web"), 2))
        .create();
    await().untilAsserted(() -> assertThat(nodesOf(client, "del")).hasSize(2));
    agents.report("del", nodes.node("a"), NodePhase.Succeeded);
    agents.report("del", nodes.node("b"), NodePhase.Succeeded);
    awaitCondition(client, "del", KulpConstants.CONDITION_COMPLETE, "True", null);
    assertThat(get(client, "del").getMetadata().getFinalizers())
        .containsExactly(KulpConstants.FINALIZER_REVERT);

    client.resources(LivePatch.class).withName("del").delete();

    await().untilAsserted(() -> assertThat(nodesOf(client, "del").values()).hasSize(2)
        .allSatisfy(lpn -> assertThat(lpn.getSpec().action).isEqualTo(Action.Revert)));
    assertThat(get(client, "del")).as("kept by the finalizer until the agents report").isNotNull();
    agents.report("del", nodes.node("a"), NodePhase.Succeeded);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(get(client, "del")).isNotNull());

    agents.report("del", nodes.node("b"), NodePhase.Failed);

    await().untilAsserted(() -> {
      assertThat(get(client, "del")).isNull();
      assertThat(nodesOf(client, "del")).isEmpty();
    });
  }

  @Test
  void whileALivePatchIsDeletedItsStatusFollowsTheRevertForItsCurrentGeneration() {
    var nodes = new FakeNodes(client, "cur");
    nodes.addNodesEachRunningWeb("a", "b");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("cur", "cur", "web"), 2))
        .create();
    await().untilAsserted(() -> assertThat(nodesOf(client, "cur")).hasSize(2));
    agents.report("cur", nodes.node("a"), NodePhase.Succeeded);
    agents.report("cur", nodes.node("b"), NodePhase.Succeeded);
    awaitCondition(client, "cur", KulpConstants.CONDITION_COMPLETE, "True", null);

    client.resources(LivePatch.class).withName("cur").delete();

    await().untilAsserted(() -> {
      LivePatch lp = get(client, "cur");
      assertThat(lp.getStatus().observedGeneration).isEqualTo(lp.getMetadata().getGeneration());
      assertThat(lp.getStatus().message).isEqualTo("deleting: waiting for 2 node(s) to revert: "
          + nodes.node("a") + ", " + nodes.node("b"));
      assertThat(lp.getStatus().nodesDone).isEqualTo("0/2");
      assertThat(lp.getStatus().conditions).allSatisfy(c ->
          assertThat(c.getObservedGeneration()).isEqualTo(lp.getMetadata().getGeneration()));
    });
    awaitCondition(client, "cur", KulpConstants.CONDITION_READY, "False", KulpConstants.REASON_DELETING);
    awaitCondition(client, "cur", KulpConstants.CONDITION_PROGRESSING, "True", KulpConstants.REASON_DELETING);
    awaitCondition(client, "cur", KulpConstants.CONDITION_COMPLETE, "False", KulpConstants.REASON_DELETING);
    awaitCondition(client, "cur", KulpConstants.CONDITION_RECONCILING, "True", KulpConstants.REASON_DELETING);

    agents.report("cur", nodes.node("a"), NodePhase.Succeeded);

    await().untilAsserted(() -> {
      LivePatch lp = get(client, "cur");
      assertThat(lp.getStatus().message).isEqualTo("deleting: waiting for 1 node(s) to revert: "
          + nodes.node("b"));
      assertThat(lp.getStatus().nodesDone).isEqualTo("1/2");
      assertThat(lp.getStatus().processes.patched).as("processes reverted").isEqualTo(1);
      assertThat(lp.getStatus().nodesInProgress).containsExactly(nodes.node("b"));
    });

    agents.report("cur", nodes.node("b"), NodePhase.Succeeded);
    await().untilAsserted(() -> assertThat(get(client, "cur")).isNull());
  }

  @Test
  void theSkipRevertAnnotationRemovesTheFinalizerWithoutWaitingForAgents() {
    var nodes = new FakeNodes(client, "skip");
    nodes.addNodes("a");
    nodes.runPod("web-a", "a", "web", "app");
    var lp = TestLivePatches.apply("skip", "skip", "web");
    lp.getMetadata().setAnnotations(Map.of(KulpConstants.ANNOTATION_SKIP_REVERT, "true"));
    client.resource(lp).create();
    await().untilAsserted(() -> assertThat(nodesOf(client, "skip")).hasSize(1));

    client.resources(LivePatch.class).withName("skip").delete();

    await().untilAsserted(() -> {
      assertThat(get(client, "skip")).isNull();
      assertThat(nodesOf(client, "skip")).isEmpty();
    });
  }

  @Test
  void aNodeDeletedMidRolloutLosesItsLivePatchNodeAndTheRolloutCompletesWithoutIt() {
    var nodes = new FakeNodes(client, "gone");
    nodes.addNodesEachRunningWeb("a", "b", "c");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("gone", "gone", "web"), 3))
        .create();
    await().untilAsserted(() -> assertThat(nodesOf(client, "gone")).hasSize(3));
    agents.report("gone", nodes.node("a"), NodePhase.Succeeded);

    nodes.deleteNode("b"); // its pod stays behind: no pod garbage collector runs here

    await().untilAsserted(() -> assertThat(nodesOf(client, "gone"))
        .containsOnlyKeys(nodes.node("a"), nodes.node("c")));
    agents.report("gone", nodes.node("c"), NodePhase.Succeeded);
    awaitCondition(client, "gone", KulpConstants.CONDITION_COMPLETE, "True", null);
    assertThat(get(client, "gone").getStatus().nodesDone).isEqualTo("2/2");
  }
}
