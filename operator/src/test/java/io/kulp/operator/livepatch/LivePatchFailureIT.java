package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.conditionStatus;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The failure policies, against a real kube-apiserver; the tests play the agents. */
class LivePatchFailureIT extends OperatorAgainstApiServer {

  @Test
  void onFailurePauseStopsStartingNodesAndNamesTheFailure() {
    var nodes = new FakeNodes(client, "fpause");
    nodes.addNodesEachRunningWeb("a", "b", "c");
    agents.autoReply("fpause", lpn -> lpn.getSpec().nodeName.endsWith("-a")
        ? NodePhase.Failed : NodePhase.Succeeded);
    client.resource(TestLivePatches.withConcurrency(
        TestLivePatches.apply("fpause", "fpause", "web"), 1)).create();

    awaitCondition(client, "fpause", KulpConstants.CONDITION_PROGRESSING, "False",
        KulpConstants.REASON_FAILURE_POLICY_PAUSE);
    awaitCondition(client, "fpause", KulpConstants.CONDITION_DEGRADED, "True",
        KulpConstants.REASON_NODES_FAILED);
    // kstatus reads the halted rollout as Failed, not InProgress.
    awaitCondition(client, "fpause", KulpConstants.CONDITION_STALLED, "True",
        KulpConstants.REASON_FAILURE_POLICY_PAUSE);
    assertThat(conditionStatus(client, "fpause", KulpConstants.CONDITION_RECONCILING))
        .isEqualTo("False");
    assertThat(get(client, "fpause").getStatus().message)
        .contains(nodes.node("a") + ": fpause/web-a/app: injected failure");
    assertThat(get(client, "fpause").getStatus().processes.failed).isEqualTo(1);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(nodesOf(client, "fpause")).containsOnlyKeys(nodes.node("a")));
    assertThat(conditionStatus(client, "fpause", KulpConstants.CONDITION_COMPLETE))
        .isEqualTo("False");
  }

  @Test
  void aNewRetryValueStartsTheFailedNodeAgainAndTheRolloutCompletes() {
    var nodes = new FakeNodes(client, "fretry");
    nodes.addNodesEachRunningWeb("a", "b", "c");
    // Node a fails until the operator starts it again with a retry value (a transient failure).
    agents.autoReply("fretry", lpn -> lpn.getSpec().nodeName.endsWith("-a") && lpn.getSpec().retry == null
        ? NodePhase.Failed : NodePhase.Succeeded);
    client.resource(TestLivePatches.withConcurrency(
        TestLivePatches.apply("fretry", "fretry", "web"), 1)).create();
    awaitCondition(client, "fretry", KulpConstants.CONDITION_PROGRESSING, "False",
        KulpConstants.REASON_FAILURE_POLICY_PAUSE);
    long failedGeneration = nodesOf(client, "fretry").get(nodes.node("a")).getMetadata().getGeneration();

    client.resources(LivePatch.class).withName("fretry").edit(lp -> {
      lp.getSpec().rollout.retry = "first retry";
      return lp;
    });

    awaitCondition(client, "fretry", KulpConstants.CONDITION_COMPLETE, "True", null);
    awaitCondition(client, "fretry", KulpConstants.CONDITION_READY, "True", null);
    assertThat(conditionStatus(client, "fretry", KulpConstants.CONDITION_STALLED)).isEqualTo("False");
    assertThat(get(client, "fretry").getStatus().nodes.failed).isZero();
    assertThat(get(client, "fretry").getStatus().nodes.done).isEqualTo(3);
    var a = nodesOf(client, "fretry").get(nodes.node("a"));
    assertThat(a.getSpec().retry).isEqualTo("first retry");
    assertThat(a.getMetadata().getGeneration()).isEqualTo(failedGeneration + 1);
    assertThat(nodesOf(client, "fretry").values()).filteredOn(lpn -> !lpn.getSpec().nodeName.equals(nodes.node("a")))
        .hasSize(2).allSatisfy(lpn -> assertThat(lpn.getSpec().retry).isNull());
  }

  @Test
  void failuresWithinMaxFailedNodesLetTheRolloutComplete() {
    var nodes = new FakeNodes(client, "ftol");
    nodes.addNodesEachRunningWeb("a", "b", "c");
    agents.autoReply("ftol", lpn -> lpn.getSpec().nodeName.endsWith("-a")
        ? NodePhase.Failed : NodePhase.Succeeded);
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("ftol", "ftol", "web"), 1);
    lp.getSpec().rollout.failurePolicy = new FailurePolicy();
    lp.getSpec().rollout.failurePolicy.maxFailedNodes = 1;
    client.resource(lp).create();

    awaitCondition(client, "ftol", KulpConstants.CONDITION_COMPLETE, "True", null);
    awaitCondition(client, "ftol", KulpConstants.CONDITION_READY, "False",
        KulpConstants.REASON_NODES_FAILED);
    awaitCondition(client, "ftol", KulpConstants.CONDITION_STALLED, "True",
        KulpConstants.REASON_NODES_FAILED); // an end state: kstatus does not wait on Ready=False
    assertThat(get(client, "ftol").getStatus().nodes.failed).isEqualTo(1);
    assertThat(get(client, "ftol").getStatus().nodes.done).isEqualTo(2);
  }

  @Test
  void onFailureRevertCompletedRevertsEveryNodeWorkedOnAndStartsNoOther() {
    var nodes = new FakeNodes(client, "frev");
    nodes.addNodesEachRunningWeb("a", "b", "c", "d");
    // a succeeds first; then b fails; c and d must never be started.
    agents.autoReply("frev", lpn -> lpn.getSpec().action == Action.Revert ? NodePhase.Succeeded
        : lpn.getSpec().nodeName.endsWith("-b") ? NodePhase.Failed : NodePhase.Succeeded);
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("frev", "frev", "web"), 1);
    lp.getSpec().rollout.failurePolicy = new FailurePolicy();
    lp.getSpec().rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
    lp.getSpec().rollout.failurePolicy.namespaceSelector = new LabelSelector(); // {}: every namespace
    client.resource(lp).create();

    awaitCondition(client, "frev", KulpConstants.CONDITION_DEGRADED, "True",
        KulpConstants.REASON_ROLLED_BACK);
    awaitCondition(client, "frev", KulpConstants.CONDITION_PROGRESSING, "False",
        KulpConstants.REASON_ROLLED_BACK);
    awaitCondition(client, "frev", KulpConstants.CONDITION_STALLED, "True",
        KulpConstants.REASON_ROLLED_BACK);
    assertThat(nodesOf(client, "frev")).containsOnlyKeys(nodes.node("a"), nodes.node("b"));
    assertThat(nodesOf(client, "frev").values()).allSatisfy(lpn -> {
      assertThat(lpn.getSpec().action).isEqualTo(Action.Revert);
      assertThat(lpn.getStatus().phase).isEqualTo(NodePhase.Succeeded);
      assertThat(lpn.getStatus().observedGeneration).isEqualTo(lpn.getMetadata().getGeneration());
    });
    assertThat(get(client, "frev").getStatus().rollout.rolledBack).isTrue();
    assertThat(conditionStatus(client, "frev", KulpConstants.CONDITION_COMPLETE))
        .isEqualTo("False");
  }
}
