package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.NOW;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.input;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class StatusAggregatorTest {

  final RolloutPlanner planner = new RolloutPlanner();
  final StatusAggregator aggregator = new StatusAggregator();

  @Test
  void aCompleteRolloutIsReadyAndCountsPatchedProcesses() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var plan = planner.plan(input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)), Set.of("n1", "n2")));

    var status = aggregator.aggregate(livePatch(3L), plan, NOW);

    assertThat(status.observedGeneration).isEqualTo(3L);
    assertThat(status.nodesDone).isEqualTo("2/2");
    assertThat(status.processes.patched).isEqualTo(6);
    assertThat(status.conditions).extracting(Condition::getType, Condition::getStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_READY, "True"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_PROGRESSING, "False"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_DEGRADED, "False"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_COMPLETE, "True"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_RECONCILING, "False"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_STALLED, "False"));
    assertThat(status.conditions).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
  }

  @Test
  void countsNodesStartedInThisStepAsInProgress() {
    var spec = spec();
    spec.rollout.maxConcurrentNodes = Fixtures.count(2);
    var plan = planner.plan(input(spec, resolved(spec, "n1", "n2", "n3"), java.util.Map.of(),
        Set.of("n1", "n2", "n3")));

    var status = aggregator.aggregate(livePatch(1L), plan, NOW);

    assertThat(status.nodes.inProgress).isEqualTo(2);
    assertThat(status.nodesInProgress).containsExactly("n1", "n2");
    assertThat(status.conditions.get(1).getStatus()).isEqualTo("True");
  }

  @Test
  void namesTheFirstFailedProcessesInTheMessageAndIsDegraded() {
    var spec = spec();
    var want = resolved(spec, "n1");
    var failed = lpn(want.get("n1"), DIGEST, NodePhase.Failed);
    var record = new ProcessRecord();
    record.namespace = "ns";
    record.pod = "pod-n1";
    record.container = "app";
    record.result = ProcessResult.Failed;
    record.reason = "function foo not found";
    failed.getStatus().records.add(record);
    var plan = planner.plan(input(spec, want, existing(failed), Set.of("n1")));

    var status = aggregator.aggregate(livePatch(1L), plan, NOW);

    assertThat(status.message).contains("n1: ns/pod-n1/app: function foo not found")
        .contains("give spec.rollout.retry a new value");
    assertThat(Conditions.find(status.conditions, KulpConstants.CONDITION_DEGRADED))
        .hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getReason()).isEqualTo(KulpConstants.REASON_NODES_FAILED);
        });
    assertThat(status.processes.failed).isEqualTo(1);
  }

  @Test
  void passesOnTheNotesOfNodesThatDidNotFailAndStaysReady() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var noted = lpn(want.get("n1"), DIGEST, NodePhase.Succeeded);
    noted.getStatus().message = "not patched, not started yet: ns/pod-n1/app";
    var plan = planner.plan(input(spec, want, existing(noted, lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)),
        Set.of("n1", "n2")));

    var status = aggregator.aggregate(livePatch(1L), plan, NOW);

    assertThat(status.message).isEqualTo("complete: 2/2 nodes done, 0 in progress, 0 failed; "
        + "notes: n1: not patched, not started yet: ns/pod-n1/app");
    assertThat(Conditions.isTrue(status.conditions, KulpConstants.CONDITION_READY)).isTrue();
  }

  @Test
  void keepsTheTransitionTimeOfAConditionWhoseStatusDidNotChange() {
    var spec = spec();
    var plan = planner.plan(input(spec, resolved(spec, "n1"), java.util.Map.of(), Set.of("n1")));
    var lp = livePatch(1L);
    lp.setStatus(aggregator.aggregate(lp, plan, NOW.minusSeconds(60)));

    var again = aggregator.aggregate(lp, plan, NOW);

    assertThat(again.conditions).allSatisfy(c ->
        assertThat(c.getLastTransitionTime()).isEqualTo(NOW.minusSeconds(60).toString()));
  }

  @Test
  void anInvalidSpecIsDegradedAndNeitherProgressingNorComplete() {
    var status = aggregator.invalid(livePatch(2L), List.of("spec.target is required"), NOW);

    assertThat(status.message).contains("spec.target is required");
    assertThat(status.conditions).allSatisfy(c ->
        assertThat(c.getReason()).isEqualTo(KulpConstants.REASON_INVALID_SPEC));
    assertThat(Conditions.isTrue(status.conditions, KulpConstants.CONDITION_DEGRADED)).isTrue();
    assertThat(Conditions.isTrue(status.conditions, KulpConstants.CONDITION_COMPLETE)).isFalse();
  }

  @Test
  void skippedNodesAreCountedNamedAndKeepTheCompleteRolloutFromBeingReady() {
    var spec = spec();
    var want = resolved(spec, "n1", "n2");
    var plan = planner.plan(input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)),
        Set.of("n1", "n2"), Set.of("n1")));

    var status = aggregator.aggregate(livePatch(1L), plan, NOW);

    assertThat(status.nodes.skipped).isEqualTo(1);
    assertThat(status.nodes.targeted).isEqualTo(2);
    assertThat(status.nodesDone).isEqualTo("1/2");
    assertThat(status.message).isEqualTo("complete: 1/2 nodes done, 0 in progress, 0 failed, 1 skipped;"
        + " skipped: no kulp agent on node: n2");
    assertThat(status.conditions).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_READY, "False", "NodesSkipped"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_PROGRESSING, "False", "AllNodesDone"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_DEGRADED, "True", "NodesSkipped"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_COMPLETE, "True", "AllNodesDone"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_RECONCILING, "False", "NodesSkipped"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_STALLED, "True", "NodesSkipped"));
    assertThat(status.conditions.get(2).getMessage()).isEqualTo("skipped: no kulp agent on node: n2");
  }

  @Test
  void aNodeThatTimedOutIsAFailureNamedWithItsReason() {
    var spec = spec();
    spec.rollout.nodeTimeout = "2m";
    var want = resolved(spec, "n1");
    var silent = Fixtures.startedAt(lpn(want.get("n1"), DIGEST, null), NOW.minusSeconds(121));
    var lp = livePatch(1L);
    lp.setSpec(spec);
    var plan = planner.plan(input(spec, want, existing(silent), Set.of("n1")));

    var status = aggregator.aggregate(lp, plan, NOW);

    assertThat(status.nodes.failed).isEqualTo(1);
    assertThat(status.nodes.inProgress).isZero();
    assertThat(status.message).contains("first failures: n1: did not finish within nodeTimeout (2m)");
    assertThat(status.conditions.get(2).getReason()).isEqualTo(KulpConstants.REASON_NODES_FAILED);
  }

  @ParameterizedTest
  @CsvSource({
      // situation,                       phase,         Reconciling, Stalled, their reason
      "ROLLING_OUT,                       ROLLING,       True,  False, RollingOut",
      "PAUSED,                            PAUSED,        True,  False, Paused",
      "CANARY_PAUSE,                      CANARY_PAUSE,  True,  False, CanaryPause",
      "HALTED,                            FAILURE_PAUSE, False, True,  FailurePolicyPause",
      "ROLLING_BACK,                      REVERTING,     True,  False, RolledBack",
      "ROLLED_BACK,                       ROLLED_BACK,   False, True,  RolledBack",
      "COMPLETE,                          COMPLETE,      False, False, AllNodesDone",
      "COMPLETE_WITH_TOLERATED_FAILURES,  COMPLETE,      False, True,  NodesFailed",
      "COMPLETE_WITH_SKIPPED_NODES,       COMPLETE,      False, True,  NodesSkipped",
      "INVALID,                           ,              False, True,  InvalidSpec",
  })
  void reconcilingUntilAnEndStateAndStalledInEveryEndStateButTheHealthyOne(StatusScenarios situation,
      RolloutPhase phase, String reconciling, String stalled, String reason) {
    assertThat(situation.phase()).isEqualTo(phase);

    var status = situation.livePatch().getStatus();

    assertThat(Conditions.find(status.conditions, KulpConstants.CONDITION_RECONCILING))
        .hasValueSatisfying(c -> assertThat(List.of(c.getStatus(), c.getReason()))
            .containsExactly(reconciling, reason));
    assertThat(Conditions.find(status.conditions, KulpConstants.CONDITION_STALLED))
        .hasValueSatisfying(c -> assertThat(List.of(c.getStatus(), c.getReason()))
            .containsExactly(stalled, reason));
    // The reason is Ready's: the printer column Status shows it.
    assertThat(Conditions.find(status.conditions, KulpConstants.CONDITION_READY))
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(reason));
    assertThat(status.conditions).filteredOn(c -> c.getMessage().isEmpty())
        .extracting(Condition::getType).isSubsetOf(KulpConstants.CONDITION_DEGRADED);
  }

  @ParameterizedTest
  @EnumSource(StatusScenarios.class)
  void stalledAndReconcilingAreNeverBothTrueAndTheOtherConditionsKeepTheirMeaning(
      StatusScenarios situation) {
    var conditions = situation.livePatch().getStatus().conditions;

    assertThat(Conditions.isTrue(conditions, KulpConstants.CONDITION_RECONCILING)
        && Conditions.isTrue(conditions, KulpConstants.CONDITION_STALLED)).isFalse();
    // Neither True: kstatus falls back on Ready, which is then True (the one healthy end state).
    if (!Conditions.isTrue(conditions, KulpConstants.CONDITION_RECONCILING)
        && !Conditions.isTrue(conditions, KulpConstants.CONDITION_STALLED)) {
      assertThat(Conditions.isTrue(conditions, KulpConstants.CONDITION_READY)).isTrue();
      assertThat(Conditions.isTrue(conditions, KulpConstants.CONDITION_COMPLETE)).isTrue();
    }
    if (Conditions.isTrue(conditions, KulpConstants.CONDITION_READY)) {
      assertThat(Conditions.isTrue(conditions, KulpConstants.CONDITION_STALLED)).isFalse();
    }
  }

  @Test
  void aLivePatchBeingDeletedDescribesItsRevertForItsCurrentGeneration() {
    var want = resolved(spec(), "n1", "n2", "n3");
    var existing = existing(
        lpn(Specs.withAction(want.get("n1"), Action.Revert), DeletionPlanner.DELETE_DIGEST, NodePhase.Succeeded),
        lpn(Specs.withAction(want.get("n2"), Action.Revert), DeletionPlanner.DELETE_DIGEST, null),
        lpn(want.get("n3"), DIGEST, NodePhase.Succeeded));
    existing.get("n1").getStatus().summary.reverted = 3;
    var plan = new DeletionPlanner().plan(existing, Set.of("n1", "n2"), Set.of("n1", "n2"),
        java.time.Duration.ofMinutes(10), NOW);

    var status = aggregator.deleting(livePatch(4L), plan, existing, NOW);

    assertThat(status.observedGeneration).isEqualTo(4L);
    assertThat(status.nodesDone).isEqualTo("1/3");
    assertThat(status.nodes.inProgress).isEqualTo(1);
    assertThat(status.nodes.failed).isEqualTo(1);
    assertThat(status.processes.patched).isEqualTo(3);
    assertThat(status.message).isEqualTo("deleting: waiting for 1 node(s) to revert: n2;"
        + " not reverted: n3: node gone");
    assertThat(status.conditions).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_READY, "False", "Deleting"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_PROGRESSING, "True", "Deleting"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_DEGRADED, "True", "NotReverted"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_COMPLETE, "False", "Deleting"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_RECONCILING, "True", "Deleting"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.CONDITION_STALLED, "False", "Deleting"));
  }

  private static LivePatch livePatch(long generation) {
    var lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName("lp").withGeneration(generation).build());
    lp.setSpec(spec());
    return lp;
  }
}
