package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.RolloutState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of one planning step: what to write and delete, and where the rollout stands.
 *
 * @param phase where the rollout stands
 * @param nodeDigest the rollout digest to annotate written LivePatchNodes with
 * @param targeted every node still targeted, in name order, as it stands before this step's writes
 * @param toWrite node name to the spec its LivePatchNode must get now (nodes started this step)
 * @param toDelete LivePatchNodes to delete (nodes gone, or no longer targeted)
 * @param state the rollout state to store in the LivePatch status
 * @param requeueAfter when to look again although nothing changes (timed canary pause)
 * @param needsConfirmation the plan declares its rollout complete for the first time: it must be
 *     confirmed against the API server before it is acted on (see {@link TargetConfirmation}),
 *     and only the {@link #confirmed} copy is
 */
public record RolloutPlan(RolloutPhase phase, String nodeDigest, List<TargetedNode> targeted,
    SortedMap<String, LivePatchNodeSpec> toWrite, List<LivePatchNode> toDelete,
    RolloutState state, Optional<Duration> requeueAfter, boolean needsConfirmation) {

  /** Number of targeted nodes in the given progress. */
  public long count(NodeProgress p) {
    return targeted.stream().filter(t -> t.progress() == p).count();
  }

  /**
   * This plan, confirmed by a consistent read of the API server at {@code resourceVersion}: its
   * rollout state records the read, and it needs no further confirmation. This plan is unchanged.
   */
  public RolloutPlan confirmed(String resourceVersion) {
    RolloutState confirmedState = Specs.copy(state);
    confirmedState.targetsConfirmedResourceVersion = resourceVersion;
    return new RolloutPlan(phase, nodeDigest, targeted, toWrite, toDelete, confirmedState,
        requeueAfter, false);
  }

  /** The progress of every targeted node, by node name. */
  public SortedMap<String, NodeProgress> progress() {
    SortedMap<String, NodeProgress> progress = new TreeMap<>();
    targeted.forEach(t -> progress.put(t.name(), t.progress()));
    return progress;
  }
}
