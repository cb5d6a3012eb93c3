package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.input;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.RolloutState;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TargetConfirmationTest {

  final RolloutPlanner planner = new RolloutPlanner();

  /** The plan of a cache that shows no matching pod: complete at once, with no node. */
  RolloutPlan noTargets() {
    return planner.plan(input(spec(), new TreeMap<>(), Map.of(), Set.of("n1", "n2")));
  }

  RolloutPlan doneOn(String... nodes) {
    var spec = spec();
    var want = resolved(spec, nodes);
    var lpns = java.util.Arrays.stream(nodes)
        .map(n -> lpn(want.get(n), DIGEST, NodePhase.Succeeded)).toArray(io.kulp.api.v1alpha1.LivePatchNode[]::new);
    return planner.plan(input(spec, want, existing(lpns), Set.of(nodes)));
  }

  static RolloutState stored(String digest, String completedAt) {
    var s = new RolloutState();
    s.digest = digest;
    s.completedAt = completedAt;
    return s;
  }

  @Test
  void zeroTargetsIsConfirmedOnlyWhenTheApiServerHasNoMatchingPodEither() {
    RolloutPlan plan = noTargets();

    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
    assertThat(TargetConfirmation.needed(plan, null)).isTrue();
    assertThat(TargetConfirmation.confirms(plan, Set.of("n1"))).isFalse();
    assertThat(TargetConfirmation.confirms(plan, Set.of())).isTrue();
  }

  @Test
  void aCompletionIsNotConfirmedWhileANodeWithMatchingPodsIsMissingFromTheRollout() {
    RolloutPlan plan = doneOn("n1");

    assertThat(TargetConfirmation.needed(plan, null)).isTrue();
    assertThat(TargetConfirmation.confirms(plan, Set.of("n1", "n2"))).isFalse();
    assertThat(TargetConfirmation.confirms(plan, Set.of("n1"))).isTrue();
  }

  @Test
  void aRolloutAlreadyCompleteForItsDigestIsNotConfirmedAgain() {
    assertThat(TargetConfirmation.needed(doneOn("n1"), stored(DIGEST, "2026-01-01T00:00:00Z"))).isFalse();
    assertThat(TargetConfirmation.needed(noTargets(), stored(DIGEST, "2026-01-01T00:00:00Z"))).isFalse();
  }

  @Test
  void aNewDigestOrAFirstCompletionIsConfirmed() {
    assertThat(TargetConfirmation.needed(doneOn("n1"), stored("older", "2026-01-01T00:00:00Z"))).isTrue();
    assertThat(TargetConfirmation.needed(doneOn("n1"), stored(DIGEST, null))).isTrue();
  }

  @Test
  void aRolloutStillInProgressNeedsNoConfirmation() {
    var spec = spec();
    RolloutPlan plan = planner.plan(input(spec, resolved(spec, "n1", "n2"), Map.of(), Set.of("n1", "n2")));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(TargetConfirmation.needed(plan, null)).isFalse();
  }
}
