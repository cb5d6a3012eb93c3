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
 */
public record RolloutPlan(RolloutPhase phase, String nodeDigest, List<TargetedNode> targeted,
    SortedMap<String, LivePatchNodeSpec> toWrite, List<LivePatchNode> toDelete,
    RolloutState state, Optional<Duration> requeueAfter) {

  /** Number of targeted nodes in the given progress. */
  public long count(NodeProgress p) {
    return targeted.stream().filter(t -> t.progress() == p).count();
  }

  /** The progress of every targeted node, by node name. */
  public SortedMap<String, NodeProgress> progress() {
    SortedMap<String, NodeProgress> progress = new TreeMap<>();
    targeted.forEach(t -> progress.put(t.name(), t.progress()));
    return progress;
  }
}
