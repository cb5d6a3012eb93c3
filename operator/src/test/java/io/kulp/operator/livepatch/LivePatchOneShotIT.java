package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.conditionStatus;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * A OneShot rollout patches the processes present when each node is worked on; containers that
 * start later run unpatched, and the status says so, against a real kube-apiserver.
 */
class LivePatchOneShotIT extends OperatorAgainstApiServer {

  @Test
  void aContainerRestartedAndAPodStartedAfterTheRolloutCompletedAreCountedAsUnpatched() {
    var nodes = new FakeNodes(client, "late");
    nodes.addNodesEachRunningWeb("a", "b");
    agents.autoSucceed("late");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("late", "late", "web"), 2))
        .create();
    awaitCondition(client, "late", KulpConstants.CONDITION_COMPLETE, "True", null);
    assertThat(get(client, "late").getStatus().unpatchedSinceComplete.count).isZero();
    Instant lastReport = nodesOf(client, "late").values().stream()
        .map(l -> Instant.parse(l.getStatus().lastReportTime)).max(Instant::compareTo).orElseThrow();
    // the kubelet reports start times to the second: start a second after the last report
    await().atMost(Duration.ofSeconds(3)).until(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS)
        .isAfter(lastReport.truncatedTo(ChronoUnit.SECONDS)));

    nodes.restartContainer("web-a", "app");
    nodes.runPod("web-late", "b", "web", "app");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = get(client, "late").getStatus();
      assertThat(status.unpatchedSinceComplete.count).isEqualTo(2);
      assertThat(status.unpatchedSinceComplete.containers)
          .containsExactly(nodes.node("a") + ": late/web-a/app", nodes.node("b") + ": late/web-late/app");
      assertThat(status.message).contains("2 targeted container(s) started after their node was done"
          + " and run unpatched");
    });
    assertThat(conditionStatus(client, "late", KulpConstants.CONDITION_COMPLETE)).isEqualTo("True");
  }

  @Test
  void inContinuousModeTheStatusHasNoUnpatchedCount() {
    var nodes = new FakeNodes(client, "cont");
    nodes.addNodesEachRunningWeb("a");
    agents.autoSucceed("cont");
    var lp = TestLivePatches.apply("cont", "cont", "web");
    lp.getSpec().mode = Mode.Continuous;
    client.resource(lp).create();
    awaitCondition(client, "cont", KulpConstants.CONDITION_COMPLETE, "True", null);

    assertThat(get(client, "cont").getStatus().unpatchedSinceComplete).isNull();
  }
}
