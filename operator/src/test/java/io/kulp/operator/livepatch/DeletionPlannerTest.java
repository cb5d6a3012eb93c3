package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.NOW;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.NodePhase;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeletionPlannerTest {

  static final java.time.Duration TIMEOUT = java.time.Duration.ofMinutes(10);
  final DeletionPlanner planner = new DeletionPlanner();

  @Test
  void tellsEveryApplyingNodeToRevertAtOnce() {
    var want = resolved(spec(), "n1", "n2");
    var plan = planner.plan(existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, null)), Set.of("n1", "n2"), Set.of("n1", "n2"), TIMEOUT, NOW);

    assertThat(plan.toWrite()).containsOnlyKeys("n1", "n2");
    assertThat(plan.toWrite().values()).allSatisfy(s -> assertThat(s.action).isEqualTo(Action.Revert));
    assertThat(plan.finished()).isFalse();
  }

  @Test
  void isFinishedWhenEveryRevertIsReportedEvenAsFailed() {
    var want = resolved(spec(), "n1", "n2");
    var plan = planner.plan(existing(
        lpn(Specs.withAction(want.get("n1"), Action.Revert), DeletionPlanner.DELETE_DIGEST, NodePhase.Succeeded),
        lpn(Specs.withAction(want.get("n2"), Action.Revert), DeletionPlanner.DELETE_DIGEST, NodePhase.Failed)),
        Set.of("n1", "n2"), Set.of("n1", "n2"), TIMEOUT, NOW);

    assertThat(plan.toWrite()).isEmpty();
    assertThat(plan.finished()).isTrue();
    assertThat(plan.notReverted()).containsOnlyKeys("n2");
    assertThat(plan.notReverted().get("n2")).startsWith("revert failed: ");
  }

  @Test
  void doesNotWaitForNodesThatAreGoneOrHaveNothingToUndo() {
    var spec = spec();
    spec.action = Action.RevertAll;
    var revertAll = resolved(spec, "n1");
    var applied = resolved(spec(), "n2");
    var plan = planner.plan(existing(lpn(revertAll.get("n1"), DIGEST, null),
        lpn(applied.get("n2"), DIGEST, NodePhase.Succeeded)), Set.of("n1"), Set.of("n1"), TIMEOUT, NOW);

    assertThat(plan.toWrite()).isEmpty();
    assertThat(plan.finished()).isTrue();
    assertThat(plan.notReverted()).containsExactly(java.util.Map.entry("n2", "node gone"));
    assertThat(plan.toDelete()).as("kept until the finalizer goes, so that every pass names it")
        .isEmpty();
  }

  @Test
  void deletesAtOnceTheLivePatchNodeOfAGoneNodeThatHadNothingToRevert() {
    var want = resolved(spec(), "n1");
    var plan = planner.plan(existing(lpn(Specs.withAction(want.get("n1"), Action.Revert), DIGEST,
        NodePhase.Succeeded)), Set.of(), Set.of(), TIMEOUT, NOW);

    assertThat(plan.toDelete()).extracting(l -> l.getSpec().nodeName).containsExactly("n1");
    assertThat(plan.notReverted()).isEmpty();
    assertThat(plan.finished()).isTrue();
  }

  @Test
  void doesNotWaitForANodeWithoutAnAgentAndSaysItWasNotReverted() {
    var want = resolved(spec(), "n1", "n2", "n3");
    var reverting = lpn(Specs.withAction(want.get("n3"), Action.Revert), DeletionPlanner.DELETE_DIGEST, null);
    var plan = planner.plan(existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded), reverting),
        Set.of("n1", "n2", "n3"), Set.of("n1"), TIMEOUT, NOW);

    assertThat(plan.toWrite()).containsOnlyKeys("n1");
    assertThat(plan.waitingFor()).containsExactly("n1");
    assertThat(plan.notReverted()).containsOnlyKeys("n2", "n3")
        .containsEntry("n2", "no kulp agent on node").containsEntry("n3", "no kulp agent on node");
  }

  @Test
  void stopsWaitingForARevertThatDidNotFinishWithinNodeTimeout() {
    var want = resolved(spec(), "n1");
    var reverting = Fixtures.startedAt(lpn(Specs.withAction(want.get("n1"), Action.Revert),
        DeletionPlanner.DELETE_DIGEST, null), NOW.minus(TIMEOUT));

    var waiting = planner.plan(existing(reverting), Set.of("n1"), Set.of("n1"), TIMEOUT, NOW);
    assertThat(waiting.finished()).isFalse();

    var given = planner.plan(existing(reverting), Set.of("n1"), Set.of("n1"), TIMEOUT, NOW.plusSeconds(1));
    assertThat(given.finished()).isTrue();
    assertThat(given.notReverted()).containsExactly(
        java.util.Map.entry("n1", "did not finish within nodeTimeout (10m)"));
  }
}
