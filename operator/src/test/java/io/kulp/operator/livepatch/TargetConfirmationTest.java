package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.NOW;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.input;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.RolloutState;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TargetConfirmationTest {

  final RolloutPlanner planner = new RolloutPlanner();

  /** The plan of a cache that shows no matching pod: complete at once, with no node. */
  RolloutPlan noTargets(RolloutState stored) {
    return planner.plan(withStored(input(spec(), new TreeMap<>(), Map.of(), Set.of("n1", "n2")), stored));
  }

  /** The plan of a rollout whose nodes all reported Succeeded, after {@code stored}. */
  RolloutPlan doneOn(RolloutState stored, String... nodes) {
    var spec = spec();
    var want = resolved(spec, nodes);
    var lpns = Arrays.stream(nodes)
        .map(n -> lpn(want.get(n), DIGEST, NodePhase.Succeeded)).toArray(LivePatchNode[]::new);
    return planner.plan(withStored(input(spec, want, existing(lpns), Set.of(nodes)), stored));
  }

  static RolloutPlanner.Input withStored(RolloutPlanner.Input in, RolloutState stored) {
    return stored == null ? in : in.withStored(stored);
  }

  static RolloutState stored(String digest, String completedAt) {
    var s = new RolloutState();
    s.digest = digest;
    s.completedAt = completedAt;
    return s;
  }

  @Test
  void zeroTargetsIsConfirmedOnlyWhenTheApiServerHasNoMatchingPodEither() {
    RolloutPlan plan = noTargets(null);

    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
    assertThat(plan.needsConfirmation()).isTrue();
    assertThat(TargetConfirmation.confirms(plan, Set.of("n1"))).isFalse();
    assertThat(TargetConfirmation.confirms(plan, Set.of())).isTrue();
  }

  @Test
  void aCompletionIsNotConfirmedWhileANodeWithMatchingPodsIsMissingFromTheRollout() {
    RolloutPlan plan = doneOn(null, "n1");

    assertThat(plan.needsConfirmation()).isTrue();
    assertThat(TargetConfirmation.confirms(plan, Set.of("n1", "n2"))).isFalse();
    assertThat(TargetConfirmation.confirms(plan, Set.of("n1"))).isTrue();
  }

  @Test
  void aCompletionThatSkipsANodeIsNotConfirmedWhileTheApiServerHasALiveAgentThere() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    RolloutPlan plan = new RolloutPlanner().plan(input(spec, want,
        existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)), Set.of("n1", "n2"), Set.of("n1")));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
    assertThat(TargetConfirmation.confirmsSkipped(plan, Set.of("n1", "n2"))).isFalse();
    assertThat(TargetConfirmation.confirmsSkipped(plan, Set.of("n1"))).isTrue();
  }

  @Test
  void aRolloutAlreadyCompleteForItsDigestIsNotConfirmedAgain() {
    assertThat(doneOn(stored(DIGEST, "2026-01-01T00:00:00Z"), "n1").needsConfirmation()).isFalse();
    assertThat(noTargets(stored(DIGEST, "2026-01-01T00:00:00Z")).needsConfirmation()).isFalse();
  }

  @Test
  void aNewDigestOrAFirstCompletionIsConfirmed() {
    assertThat(doneOn(stored("older", "2026-01-01T00:00:00Z"), "n1").needsConfirmation()).isTrue();
    assertThat(doneOn(stored(DIGEST, null), "n1").needsConfirmation()).isTrue();
  }

  @Test
  void aRolloutStillInProgressNeedsNoConfirmation() {
    var spec = spec();
    RolloutPlan plan = planner.plan(input(spec, resolved(spec, "n1", "n2"), Map.of(), Set.of("n1", "n2")));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(plan.needsConfirmation()).isFalse();
  }

  @Test
  void theConfirmedCopyRecordsTheReadAndLeavesThePlannedOneAsItWas() {
    RolloutPlan planned = doneOn(null, "n1");

    RolloutPlan confirmed = planned.confirmed("4711");

    assertThat(confirmed.needsConfirmation()).isFalse();
    assertThat(confirmed.state().targetsConfirmedResourceVersion).isEqualTo("4711");
    assertThat(confirmed.state().completedAt).isEqualTo(NOW.toString());
    assertThat(confirmed.phase()).isEqualTo(planned.phase());
    assertThat(confirmed.targeted()).isEqualTo(planned.targeted());
    assertThat(planned.needsConfirmation()).isTrue();
    assertThat(planned.state().targetsConfirmedResourceVersion).isNull();
  }
}
