package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nodes that do not answer, against a real kube-apiserver: a node without a kulp agent (no live
 * Lease) is skipped and reported, a node whose agent stops answering fails after
 * spec.rollout.nodeTimeout, and a deletion ends although nodes are gone, agentless or silent.
 */
class LivePatchSilentNodeIT extends OperatorAgainstApiServer {

  @Test
  void aNodeWithoutAnAgentIsSkippedAndReportedAndStartedOnceItsAgentAppears() {
    var nodes = new FakeNodes(client, "noagent");
    nodes.addNodesEachRunningWeb("a");
    nodes.addNodesWithoutAgent("b");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoSucceed("noagent");

    client.resource(TestLivePatches.apply("noagent", "noagent", "web")).create();

    awaitCondition(client, "noagent", KulpConstants.CONDITION_COMPLETE, "True", null);
    awaitCondition(client, "noagent", KulpConstants.CONDITION_DEGRADED, "True",
        KulpConstants.REASON_NODES_SKIPPED);
    LivePatch lp = get(client, "noagent");
    assertThat(lp.getStatus().nodes.skipped).isEqualTo(1);
    assertThat(lp.getStatus().nodesDone).isEqualTo("1/2");
    assertThat(lp.getStatus().message)
        .contains("skipped: no kulp agent on node: " + nodes.node("b"));
    assertThat(nodesOf(client, "noagent")).containsOnlyKeys(nodes.node("a"));
    await().untilAsserted(() -> assertThat(eventsAbout("noagent"))
        .anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo(KulpConstants.REASON_NODES_SKIPPED);
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).contains("no kulp agent on node: " + nodes.node("b"));
        }));

    nodes.startAgent("b");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      LivePatch now = get(client, "noagent");
      assertThat(now.getStatus().nodesDone).isEqualTo("2/2");
      assertThat(now.getStatus().nodes.skipped).isZero();
    });
    awaitCondition(client, "noagent", KulpConstants.CONDITION_READY, "True", null);
  }

  @Test
  void aNodeThatStopsAnsweringMidRolloutFailsAfterNodeTimeoutAndFreesItsSlot() {
    var nodes = new FakeNodes(client, "silent");
    nodes.addNodesEachRunningWeb("a", "b", "c");
    agents.autoReply("silent", lpn -> lpn.getSpec().nodeName.equals(nodes.node("b"))
        ? null : NodePhase.Succeeded); // b's agent holds its Lease but never reports
    var lp = TestLivePatches.apply("silent", "silent", "web"); // one node at a time
    lp.getSpec().rollout.nodeTimeout = "3s";
    lp.getSpec().rollout.failurePolicy = new FailurePolicy();
    lp.getSpec().rollout.failurePolicy.maxFailedNodes = 1;

    client.resource(lp).create();

    awaitCondition(client, "silent", KulpConstants.CONDITION_COMPLETE, "True", null);
    LivePatch done = get(client, "silent");
    assertThat(done.getStatus().nodes.failed).isEqualTo(1);
    assertThat(done.getStatus().nodes.done).isEqualTo(2);
    assertThat(done.getStatus().message)
        .contains(nodes.node("b") + ": did not finish within nodeTimeout (3s)");
    assertThat(nodesOf(client, "silent")).containsOnlyKeys(nodes.node("a"), nodes.node("b"),
        nodes.node("c"));
  }

  @Test
  void aNodeThatTimesOutCountsAgainstTheFailurePolicy() {
    var nodes = new FakeNodes(client, "halt");
    nodes.addNodesEachRunningWeb("a", "b");
    agents.autoReply("halt", lpn -> null); // no agent ever reports
    var lp = TestLivePatches.apply("halt", "halt", "web");
    lp.getSpec().rollout.nodeTimeout = "2s";

    client.resource(lp).create();

    awaitCondition(client, "halt", KulpConstants.CONDITION_DEGRADED, "True",
        KulpConstants.REASON_NODES_FAILED);
    awaitCondition(client, "halt", KulpConstants.CONDITION_PROGRESSING, "False",
        KulpConstants.REASON_FAILURE_POLICY_PAUSE);
    assertThat(nodesOf(client, "halt")).as("the second node is not started")
        .containsOnlyKeys(nodes.node("a"));
  }

  @Test
  void deletionEndsWithAGoneNodeAnAgentlessNodeAndASilentOneAndSaysWhatWasNotReverted() {
    var nodes = new FakeNodes(client, "leave");
    nodes.addNodesEachRunningWeb("a", "b", "c", "d");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("leave", "leave", "web"), 4);
    lp.getSpec().rollout.nodeTimeout = "2s";
    // Every agent applies; the agents of c and d then never report on the revert.
    agents.autoReply("leave", lpn -> lpn.getSpec().action == Action.Revert
        && !lpn.getSpec().nodeName.equals(nodes.node("a")) ? null : NodePhase.Succeeded);
    client.resource(lp).create();
    awaitCondition(client, "leave", KulpConstants.CONDITION_COMPLETE, "True", null);

    nodes.stopAgent("b");
    client.resources(LivePatch.class).withName("leave").delete();
    await().untilAsserted(() -> assertThat(nodesOf(client, "leave").get(nodes.node("c")).getSpec().action)
        .isEqualTo(Action.Revert));
    nodes.deleteNode("c");

    await().untilAsserted(() -> assertThat(get(client, "leave").getStatus().message)
        .startsWith("deleting: waiting for ").contains("not reverted: " + nodes.node("b")
            + ": no kulp agent on node"));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(get(client, "leave")).isNull();
      assertThat(nodesOf(client, "leave")).isEmpty();
    });
    await().untilAsserted(() -> assertThat(eventsAbout("leave")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(KulpConstants.REASON_NOT_REVERTED);
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).isEqualTo("deleted; not reverted on 3 node(s): "
          + nodes.node("b") + ": no kulp agent on node; "
          + nodes.node("c") + ": node gone; "
          + nodes.node("d") + ": did not finish within nodeTimeout (2s)");
    }));
  }

  private static List<Event> eventsAbout(String name) {
    return client.v1().events().inAnyNamespace()
        .withField("involvedObject.kind", "LivePatch")
        .withField("involvedObject.name", name).list().getItems();
  }
}
