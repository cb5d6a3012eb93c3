package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.input;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.RolloutState;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class UnpatchedSinceCompleteTest {

  static final String REPORT = "2026-01-01T00:00:10.400Z";
  final RolloutPlanner planner = new RolloutPlanner();

  @Test
  void aContainerThatStartedASecondAfterItsNodesReportIsCounted() {
    var want = resolved(spec(), "n1", "n2");
    var plan = completePlan(want, done(want, "n1"), done(want, "n2"));
    var pods = pods(pod("n1", "2026-01-01T00:00:11Z"), pod("n2", "2026-01-01T00:00:05Z"));

    var unpatched = UnpatchedSinceComplete.find(Mode.OneShot, Action.Apply, plan, want, () -> pods);

    assertThat(unpatched.count).isEqualTo(1);
    assertThat(unpatched.containers).containsExactly("n1: ns/pod-n1/app");
  }

  @Test
  void aContainerThatStartedInTheSameSecondAsTheReportIsNotCounted() {
    var want = resolved(spec(), "n1");
    var plan = completePlan(want, done(want, "n1"));

    var unpatched = UnpatchedSinceComplete.find(Mode.OneShot, Action.Apply, plan, want,
        () -> pods(pod("n1", "2026-01-01T00:00:10Z")));

    assertThat(unpatched.count).isZero();
    assertThat(unpatched.containers).isEmpty();
  }

  @Test
  void aNodeThatMatchedOnlyAfterCompletionCountsFromTheRolloutsCompletion() {
    var want = resolved(spec(), "n1");
    var plan = completePlan(want, done(want, "n1"));
    var later = resolved(spec(), "n1", "n9"); // n9 runs a matching pod since; OneShot starts no new node
    var frozen = planner.plan(input(spec(), later, existing(done(want, "n1")), Set.of("n1", "n9"))
        .withStored(plan.state()));

    var unpatched = UnpatchedSinceComplete.find(Mode.OneShot, Action.Apply, frozen, later,
        () -> pods(pod("n1", "2026-01-01T00:00:01Z"), pod("n9", "2026-01-01T00:00:01Z")));

    assertThat(frozen.targeted()).extracting(TargetedNode::name).containsExactly("n1");
    assertThat(unpatched.containers).containsExactly("n9: ns/pod-n9/app"); // completed at NOW, 00:00:00
  }

  @Test
  void theQuestionDoesNotAriseInContinuousModeForRevertsOrBeforeCompletion() {
    var want = resolved(spec(), "n1");
    var plan = completePlan(want, done(want, "n1"));
    var pods = pods(pod("n1", "2026-01-01T00:01:00Z"));
    var running = planner.plan(input(spec(), want, Map.of(), Set.of("n1")));

    assertThat(UnpatchedSinceComplete.find(Mode.Continuous, Action.Apply, plan, want, () -> {
      throw new AssertionError("no pods are read when the question does not arise");
    })).isNull();
    assertThat(UnpatchedSinceComplete.find(Mode.OneShot, Action.Revert, plan, want, () -> pods)).isNull();
    assertThat(UnpatchedSinceComplete.find(Mode.OneShot, Action.Apply, running, want, () -> pods)).isNull();
  }

  @Test
  void aContainerThatIsNotRunningIsNotCounted() {
    var want = resolved(spec(), "n1");
    var plan = completePlan(want, done(want, "n1"));
    Pod waiting = new PodBuilder().withNewMetadata().withNamespace("ns").withName("pod-n1").endMetadata()
        .withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("app")
            .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
            .build()).endStatus().build();

    assertThat(UnpatchedSinceComplete.find(Mode.OneShot, Action.Apply, plan, want, () -> pods(waiting)).count)
        .isZero();
  }

  private RolloutPlan completePlan(SortedMap<String, LivePatchNodeSpec> want, LivePatchNode... lpns) {
    var plan = planner.plan(input(spec(), want, existing(lpns), want.keySet()));
    RolloutState state = plan.state();
    assertThat(state.completedAt).isNotNull();
    return plan;
  }

  private static LivePatchNode done(SortedMap<String, LivePatchNodeSpec> want, String node) {
    var lpn = lpn(want.get(node), DIGEST, NodePhase.Succeeded);
    lpn.getStatus().lastReportTime = REPORT;
    return lpn;
  }

  private static Pod pod(String node, String startedAt) {
    return new PodBuilder().withNewMetadata().withNamespace("ns").withName("pod-" + node).endMetadata()
        .withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("app")
            .withNewState().withNewRunning().withStartedAt(startedAt).endRunning().endState()
            .build()).endStatus().build();
  }

  private static Map<String, Pod> pods(Pod... pods) {
    Map<String, Pod> out = new HashMap<>();
    for (Pod p : pods) {
      out.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p);
    }
    return out;
  }
}
