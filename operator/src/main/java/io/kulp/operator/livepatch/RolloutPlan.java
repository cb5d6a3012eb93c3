package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.RolloutState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The outcome of one planning step: what to write and delete, and where the rollout stands.
 *
 * @param phase where the rollout stands
 * @param nodeDigest the rollout digest to annotate written LivePatchNodes with
 * @param toWrite node name to the spec its LivePatchNode must get now (nodes started this step)
 * @param toDelete LivePatchNodes to delete (nodes gone, or no longer targeted)
 * @param progress every node still targeted, with its progress before this step's writes
 * @param current the existing LivePatchNodes of the targeted nodes
 * @param state the rollout state to store in the LivePatch status
 * @param requeueAfter when to look again although nothing changes (timed canary pause)
 */
public record RolloutPlan(RolloutPhase phase, String nodeDigest,
    SortedMap<String, LivePatchNodeSpec> toWrite, List<LivePatchNode> toDelete,
    SortedMap<String, NodeProgress> progress, Map<String, LivePatchNode> current,
    RolloutState state, Optional<Duration> requeueAfter) {

  /** Number of targeted nodes in the given progress. */
  public long count(NodeProgress p) {
    return progress.values().stream().filter(p::equals).count();
  }
}
