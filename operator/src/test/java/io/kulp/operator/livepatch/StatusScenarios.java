package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.DIGEST;
import static io.kulp.operator.livepatch.Fixtures.NOW;
import static io.kulp.operator.livepatch.Fixtures.existing;
import static io.kulp.operator.livepatch.Fixtures.input;
import static io.kulp.operator.livepatch.Fixtures.lpn;
import static io.kulp.operator.livepatch.Fixtures.resolved;
import static io.kulp.operator.livepatch.Fixtures.spec;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.CanarySpec;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.api.v1alpha1.RolloutState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * LivePatches in each situation a rollout can be in, with the status the planner and the
 * aggregator give them (no cluster): what kubectl, kstatus and the GitOps health checks read.
 */
enum StatusScenarios {
  ROLLING_OUT(spec -> input(spec, resolved(spec, "n1", "n2"), Map.of(), Set.of("n1", "n2"))),
  PAUSED(spec -> {
    spec.rollout.paused = true;
    return input(spec, resolved(spec, "n1"), Map.of(), Set.of("n1"));
  }),
  CANARY_PAUSE(spec -> {
    spec.rollout.canary = new CanarySpec();
    spec.rollout.canary.nodes = 1;
    var want = resolved(spec, "n1", "n2");
    return input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)),
        Set.of("n1", "n2"));
  }),
  HALTED(spec -> {
    var want = resolved(spec, "n1", "n2");
    return input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Failed)),
        Set.of("n1", "n2"));
  }),
  ROLLING_BACK(spec -> {
    revertCompleted(spec);
    var want = resolved(spec, "n1", "n2");
    return input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Failed)), Set.of("n1", "n2"));
  }),
  ROLLED_BACK(spec -> {
    revertCompleted(spec);
    var want = resolved(spec, "n1");
    var revert = Specs.withAction(want.get("n1"), Action.Revert);
    var state = new RolloutState();
    state.digest = DIGEST;
    state.rolledBack = true;
    var in = input(spec, want, existing(lpn(revert, DIGEST + RolloutPlanner.REVERT_SUFFIX,
        NodePhase.Succeeded)), Set.of("n1"));
    return in.withStored(state);
  }),
  COMPLETE(spec -> {
    var want = resolved(spec, "n1", "n2");
    return input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)), Set.of("n1", "n2"));
  }),
  COMPLETE_WITH_TOLERATED_FAILURES(spec -> {
    spec.rollout.failurePolicy = new FailurePolicy();
    spec.rollout.failurePolicy.maxFailedNodes = 1;
    var want = resolved(spec, "n1", "n2");
    return input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Failed),
        lpn(want.get("n2"), DIGEST, NodePhase.Succeeded)), Set.of("n1", "n2"));
  }),
  COMPLETE_WITH_SKIPPED_NODES(spec -> {
    var want = resolved(spec, "n1", "n2");
    return input(spec, want, existing(lpn(want.get("n1"), DIGEST, NodePhase.Succeeded)),
        Set.of("n1", "n2"), Set.of("n1"));
  }),
  /** The spec breaks a rule only the operator checks. */
  INVALID(null);

  private final Function<LivePatchSpec, RolloutPlanner.Input> step;

  StatusScenarios(Function<LivePatchSpec, RolloutPlanner.Input> step) {
    this.step = step;
  }

  /** A LivePatch of generation 2 in this situation, with the status the operator writes. */
  LivePatch livePatch() {
    var lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName("lp").withGeneration(2L).build());
    lp.setSpec(spec());
    var aggregator = new StatusAggregator();
    lp.setStatus(step == null
        ? aggregator.invalid(lp, List.of("spec.target.podSelector: unknown operator \"Has\""), NOW)
        : aggregator.aggregate(lp, new RolloutPlanner().plan(step.apply(lp.getSpec())), NOW));
    return lp;
  }

  /** The phase the planner reaches in this situation; null for {@link #INVALID}. */
  RolloutPhase phase() {
    return step == null ? null : new RolloutPlanner().plan(step.apply(spec())).phase();
  }

  private static void revertCompleted(LivePatchSpec spec) {
    spec.rollout.failurePolicy = new FailurePolicy();
    spec.rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
  }
}
