package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.NOW;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.input;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.CanarySpec;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.api.v1alpha1.RolloutState;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {

  final RolloutPlanner planner = new RolloutPlanner();
  final Set<String> all = Set.of("n1", "n2", "n3", "n4");

  @Test
  void startsNodesInNameOrderUpToMaxConcurrentNodes() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(2);
    var plan = planner.plan(input(spec, resolved(spec, "n3", "n1", "n2"), Map.of(), all));

    assertThat(plan.toWrite()).containsOnlyKeys("n1", "n2");
    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(plan.nodeDigest()).isEqualTo(DIGEST);
  }

  @Test
  void startsOnlyAsManyAsFreeSlotsWhileNodesAreInProgress() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(2);
    var want = resolved(spec, "n1", "n2", "n3");
    var plan = planner.plan(input(spec, want,
        existing(lpn(want.get("n1"), DIGEST, null), lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)),
        all));

    assertThat(plan.toWrite()).containsOnlyKeys("n3");
    assertThat(plan.progress()).containsEntry("n1", NodeProgress.IN_PROGRESS)
        .containsEntry("n2", NodeProgress.DONE).containsEntry("n3", NodeProgress.NOT_STARTED);
  }

  @Test
  void aPercentageIsOfTheTargetedNodesRoundedDownButAtLeastOne() {
    assertThat(RolloutPlanner.maxConcurrentNodes(new IntOrString("50%"), 5)).isEqualTo(2);
    assertThat(RolloutPlanner.maxConcurrentNodes(new IntOrString("10%"), 3)).isEqualTo(1);
    assertThat(RolloutPlanner.maxConcurrentNodes(null, 30)).isEqualTo(1);
  }

  @Test
  void aReportForAnOlderGenerationDoesNotCountAsDone() {
    var spec = spec();
    var want = resolved(spec, "n1");
    LivePatchNode stale = lpn(want.get("n1"), DIGEST, NodePhase.Succeeded);
    stale.getMetadata().setGeneration(2L);

    var plan = planner.plan(input(spec, want, existing(stale), all));

    assertThat(plan.progress()).containsEntry("n1", NodeProgress.IN_PROGRESS);
    assertThat(plan.toWrite()).isEmpty();
  }

  @Test
  void isCompleteWhenEveryTargetedNodeReportedAndRemembersWhen() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var plan = planner.plan(input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)), all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
    assertThat(plan.state().completedAt).isEqualTo(NOW.toString());
  }

  @Test
  void pausedStartsNothing() {
    var spec = spec();
    spec.rollout.paused = true;
    var plan = planner.plan(input(spec, resolved(spec, "n1"), Map.of(), all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.PAUSED);
    assertThat(plan.toWrite()).isEmpty();
  }

  @Test
  void theCanaryStartsOnlyItsNodesThenPausesIndefinitely() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(4);
    spec.rollout.canary = new CanarySpec();
    spec.rollout.canary.nodes = 1;
    var want = resolved(spec, "n1", "n2", "n3");

    var first = planner.plan(input(spec, want, Map.of(), all));
    assertThat(first.toWrite()).containsOnlyKeys("n1");

    var after = planner.plan(input(spec, want,
        existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)), all));
    assertThat(after.phase()).isEqualTo(RolloutPhase.CANARY_PAUSE);
    assertThat(after.toWrite()).isEmpty();
    assertThat(after.state().canaryCompletedAt).isEqualTo(NOW.toString());
    assertThat(after.requeueAfter()).isEmpty();
  }

  @Test
  void aTimedCanaryPauseAsksToBeWokenUpAndThenContinues() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(4);
    spec.rollout.canary = new CanarySpec();
    spec.rollout.canary.nodes = 1;
    spec.rollout.canary.pause = "1m30s";
    var want = resolved(spec, "n1", "n2", "n3");
    var done = existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded));
    var state = new RolloutState();
    state.digest = DIGEST;
    state.canaryCompletedAt = NOW.minusSeconds(60).toString();

    var waiting = planner.plan(withState(input(spec, want, done, all), state, NOW));
    assertThat(waiting.phase()).isEqualTo(RolloutPhase.CANARY_PAUSE);
    assertThat(waiting.requeueAfter()).contains(Duration.ofSeconds(30));

    var resumed = planner.plan(withState(input(spec, want, done, all), state, NOW.plusSeconds(31)));
    assertThat(resumed.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(resumed.toWrite()).containsOnlyKeys("n2", "n3");
  }

  @Test
  void aNewDigestStartsANewCanary() {
    var spec = spec();
    spec.rollout.canary = new CanarySpec();
    spec.rollout.canary.nodes = 1;
    spec.rollout.canary.pause = "0s";
    var state = new RolloutState();
    state.digest = "older";
    state.canaryCompletedAt = NOW.minusSeconds(600).toString();

    var plan = planner.plan(withState(input(spec, resolved(spec, "n1", "n2"), Map.of(), all), state, NOW));

    assertThat(plan.state().digest).isEqualTo(DIGEST);
    assertThat(plan.state().canaryCompletedAt).isNull();
    assertThat(plan.toWrite()).containsOnlyKeys("n1");
  }

  @Test
  void moreFailuresThanAllowedWithPauseHaltTheRollout() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(1);
    var want = resolved(spec, "n1", "n2");
    var plan = planner.plan(input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Failed)), all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.FAILURE_PAUSE);
    assertThat(plan.toWrite()).isEmpty();
  }

  @Test
  void failuresWithinMaxFailedNodesDoNotHalt() {
    var spec = spec();
    spec.rollout.failurePolicy = new FailurePolicy();
    spec.rollout.failurePolicy.maxFailedNodes = 1;
    var want = resolved(spec, "n1", "n2");
    var plan = planner.plan(input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Failed)), all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(plan.toWrite()).containsOnlyKeys("n2");
  }

  @Test
  void aNewRetryValueStartsTheFailedNodesAgainAndOnlyThem() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(4);
    var want = resolved(spec, "n1", "n2", "n3");
    var existing = existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Failed), lpn(want.get("n3"), DIGEST, NodePhase.Failed));
    assertThat(planner.plan(input(spec, want, existing, all)).phase()).isEqualTo(RolloutPhase.FAILURE_PAUSE);

    spec.rollout.retry = "2026-11-27T17:00";
    var plan = planner.plan(input(spec, want, existing, all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(plan.toWrite()).containsOnlyKeys("n2", "n3");
    assertThat(plan.toWrite().values()).allSatisfy(s -> assertThat(s.retry).isEqualTo("2026-11-27T17:00"));
  }

  @Test
  void retriedNodesKeepTheirRetryValueAndAreNotStartedAgainForIt() {
    var spec = spec();
    spec.rollout.retry = "1";
    var want = resolved(spec, "n1", "n2");
    var retried = Specs.withRetry(want.get("n1"), "1");

    var stillFailed = planner.plan(input(spec, want, existing(lpn(retried, DIGEST, NodePhase.Failed),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)), all));
    var nowDone = planner.plan(input(spec, want, existing(lpn(retried, DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)), all));

    assertThat(stillFailed.phase()).isEqualTo(RolloutPhase.FAILURE_PAUSE);
    assertThat(stillFailed.toWrite()).isEmpty();
    assertThat(nowDone.phase()).isEqualTo(RolloutPhase.COMPLETE);
    assertThat(nowDone.toWrite()).isEmpty();
  }

  @Test
  void aRetryDoesNotUndoARollback() {
    var spec = spec();
    spec.rollout.retry = "1";

    var plan = planner.plan(rolledBackWithOneRevert(spec, NodePhase.Failed));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(plan.toWrite()).isEmpty();
  }

  @Test
  void revertCompletedTurnsEveryNodeWorkedOnIntoARevertAndStartsNoOther() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(2);
    spec.rollout.failurePolicy = new FailurePolicy();
    spec.rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
    var want = resolved(spec, "n1", "n2", "n3");
    var plan = planner.plan(input(spec, want, existing(
        lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Failed)), all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.REVERTING);
    assertThat(plan.state().rolledBack).isTrue();
    assertThat(plan.nodeDigest()).isEqualTo(DIGEST + RolloutPlanner.REVERT_SUFFIX);
    assertThat(plan.toWrite()).containsOnlyKeys("n1", "n2");
    assertThat(plan.toWrite().values()).allSatisfy(s -> {
      assertThat(s.action).isEqualTo(Action.Revert);
      assertThat(s.patch.sha256).isEqualTo("a".repeat(64));
    });
  }

  @Test
  void theRollbackEndsWhenEveryRevertIsReported() {
    var plan = planner.plan(rolledBackWithOneRevert(spec(), NodePhase.Succeeded));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    assertThat(plan.toWrite()).isEmpty();
  }

  /** A rollout rolled back by its failure policy, whose one node reported its revert with {@code phase}. */
  private RolloutPlanner.Input rolledBackWithOneRevert(LivePatchSpec spec, NodePhase phase) {
    var want = resolved(spec, "n1");
    var revert = Specs.withAction(want.get("n1"), Action.Revert);
    var state = new RolloutState();
    state.digest = DIGEST;
    state.rolledBack = true;
    return withState(input(spec, want, existing(lpn(revert, DIGEST + RolloutPlanner.REVERT_SUFFIX, phase)), all),
        state, NOW);
  }

  @Test
  void deletesLivePatchNodesOfNodesThatAreGoneAndNoLongerTargetsThem() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var onGoneNode = lpn(want.get("n2"), DIGEST, null);

    var plan = planner.plan(input(spec, want,
        existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded), onGoneNode), Set.of("n1")));

    assertThat(plan.toDelete()).containsExactly(onGoneNode);
    assertThat(plan.progress()).containsOnlyKeys("n1");
    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
  }

  @Test
  void oneShotKeepsTheTargetsANodeWasStartedWithButContinuousFollowsThePods() {
    var spec = spec();
    var started = resolved(spec, "n1");
    var existing = existing(lpn(started.get("n1"), DIGEST, NodePhase.Succeeded));
    var moved = resolved(spec, "n1");
    moved.get("n1").targets.get(0).uid = "uid-of-a-new-pod";

    var oneShot = planner.plan(input(spec, moved, existing, all));
    assertThat(oneShot.progress()).containsEntry("n1", NodeProgress.DONE);

    spec.mode = Mode.Continuous;
    var continuous = planner.plan(input(spec, moved, existing, all));
    assertThat(continuous.toWrite()).containsOnlyKeys("n1");
    assertThat(continuous.toWrite().get("n1").targets.get(0).uid).isEqualTo("uid-of-a-new-pod");
  }

  @Test
  void aCompletedOneShotRolloutStartsNoNodeThatAppearsLater() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var state = new RolloutState();
    state.digest = DIGEST;
    state.completedAt = NOW.minusSeconds(5).toString();

    var plan = planner.plan(withState(input(spec, want,
        existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)), all), state, NOW));

    assertThat(plan.progress()).containsOnlyKeys("n1");
    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
  }

  @Test
  void aNodeWithoutALiveAgentIsSkippedInsteadOfStartedAndHoldsNoSlot() {
    var spec = spec();
    var plan = planner.plan(input(spec, resolved(spec, "n1", "n2", "n3"), Map.of(), all,
        Set.of("n2", "n3")));

    assertThat(plan.toWrite()).containsOnlyKeys("n2");
    assertThat(plan.progress()).containsEntry("n1", NodeProgress.SKIPPED);
    assertThat(plan.phase()).isEqualTo(RolloutPhase.ROLLING);
    assertThat(plan.state().skippedNodes).containsExactly("n1");
  }

  @Test
  void skippedNodesDoNotHoldUpCompletionNorCountAgainstTheFailurePolicy() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2", "n3");
    var plan = planner.plan(input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)),
        all, Set.of("n1")));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.COMPLETE);
    assertThat(plan.count(NodeProgress.SKIPPED)).isEqualTo(2);
    assertThat(plan.state().skippedNodes).containsExactly("n2", "n3");
  }

  @Test
  void aOneShotRolloutThatCompletedStillReportsItsSkippedNodesAndStartsThemWhenTheirAgentIsBack() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var done = existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded));
    var completed = planner.plan(input(spec, want, done, all, Set.of("n1")));
    assertThat(completed.phase()).isEqualTo(RolloutPhase.COMPLETE);

    var stillNoAgent = planner.plan(withState(input(spec, want, done, all, Set.of("n1")),
        completed.state(), NOW.plusSeconds(60)));
    assertThat(stillNoAgent.progress()).containsEntry("n2", NodeProgress.SKIPPED);
    assertThat(stillNoAgent.toWrite()).isEmpty();

    var agentBack = planner.plan(withState(input(spec, want, done, all, all),
        completed.state(), NOW.plusSeconds(120)));
    assertThat(agentBack.toWrite()).containsOnlyKeys("n2");
    assertThat(agentBack.state().skippedNodes).isNull();
  }

  @Test
  void aOneShotRolloutThatCompletedStartsNoNodeItDidNotSkip() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var done = existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded));
    var completed = planner.plan(input(spec, resolved(spec, "n1"), done, all));

    var later = planner.plan(withState(input(spec, want, done, all), completed.state(), NOW));

    assertThat(later.progress()).containsOnlyKeys("n1");
    assertThat(later.toWrite()).isEmpty();
  }

  @Test
  void aStartedNodeWithoutAFinalReportWithinNodeTimeoutFailsAndFreesItsSlot() {
    var spec = spec();
    spec.rollout.nodeTimeout = "5m";
    spec.rollout.failurePolicy = new FailurePolicy();
    spec.rollout.failurePolicy.maxFailedNodes = 1;
    var want = resolved(spec, "n1", "n2");
    var silent = Fixtures.startedAt(lpn(want.get("n1"), DIGEST, null), NOW.minus(Duration.ofMinutes(5)));

    var before = planner.plan(withState(input(spec, want, existing(silent), all), null, NOW));
    assertThat(before.progress()).containsEntry("n1", NodeProgress.IN_PROGRESS);
    assertThat(before.toWrite()).isEmpty();
    assertThat(before.requeueAfter()).contains(Duration.ofSeconds(1));

    var after = planner.plan(withState(input(spec, want, existing(silent), all), null, NOW.plusSeconds(1)));
    assertThat(after.progress()).containsEntry("n1", NodeProgress.TIMED_OUT);
    assertThat(after.toWrite()).containsOnlyKeys("n2");
  }

  @Test
  void aNodeThatTimedOutCountsAgainstTheFailurePolicy() {
    var spec = spec();
    spec.rollout.nodeTimeout = "90s";
    var want = resolved(spec, "n1", "n2");
    var silent = Fixtures.startedAt(lpn(want.get("n1"), DIGEST, null), NOW.minusSeconds(91));

    var plan = planner.plan(input(spec, want, existing(silent), all));

    assertThat(plan.phase()).isEqualTo(RolloutPhase.FAILURE_PAUSE);
    assertThat(plan.toWrite()).isEmpty();
  }

  @Test
  void theNextTimeoutIsWhenToLookAgain() {
    var spec = spec();
    var want = resolved(spec, "n1");
    var started = Fixtures.startedAt(lpn(want.get("n1"), DIGEST, null), NOW.minusSeconds(60));

    var plan = planner.plan(input(spec, want, existing(started), all));

    assertThat(plan.requeueAfter()).contains(Duration.ofMinutes(9).plusSeconds(1));
  }

  @Test
  void aStepThatStartsNodesLooksAgainWhenTheyWouldTimeOut() {
    var spec = spec();
    spec.rollout.nodeTimeout = "2m";

    var plan = planner.plan(input(spec, resolved(spec, "n1"), Map.of(), all));

    assertThat(plan.toWrite()).containsOnlyKeys("n1");
    assertThat(plan.requeueAfter()).as("the event of its own write wakes nobody")
        .contains(Duration.ofMinutes(2).plusSeconds(1));
  }

  @Test
  void aNodeThatTimedOutIsStartedAgainByANewRetryValue() {
    var spec = spec();
    spec.rollout.nodeTimeout = "1m";
    var want = resolved(spec, "n1");
    var silent = Fixtures.startedAt(lpn(want.get("n1"), DIGEST, null), NOW.minusSeconds(61));
    spec.rollout.retry = "again";

    var plan = planner.plan(input(spec, resolved(spec, "n1"), existing(silent), all));

    assertThat(plan.toWrite()).containsOnlyKeys("n1");
    assertThat(plan.toWrite().get("n1").retry).isEqualTo("again");
  }

  @Test
  void equalInputsGiveEqualPlans() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(2);
    var a = planner.plan(input(spec, resolved(spec, "n4", "n2", "n3", "n1"), Map.of(), all));
    var b = planner.plan(input(spec, resolved(spec, "n1", "n3", "n2", "n4"), Map.of(), all));

    assertThat(a.toWrite().keySet()).isEqualTo(b.toWrite().keySet()).containsExactly("n1", "n2");
  }

  private static RolloutPlanner.Input withState(RolloutPlanner.Input in, RolloutState state,
      java.time.Instant now) {
    return new RolloutPlanner.Input(in.livePatch(), in.digest(), in.mode(), in.rollout(),
        in.resolved(), in.existing(), in.clusterNodes(), in.liveAgents(), state, now);
  }
}
