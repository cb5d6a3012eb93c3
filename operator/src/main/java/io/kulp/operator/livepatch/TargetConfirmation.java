package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.RolloutState;
import java.util.Objects;
import java.util.Set;

/**
 * When a plan made from the caches must be confirmed against the API server before it is acted
 * on. The caches lag: a LivePatch created right after its pods can be reconciled before the pod
 * informer has delivered them, and "no targets" (or too few nodes) would then be declared
 * Complete, which for OneShot is final. So a rollout is declared complete for the first time only
 * once a {@link ConsistentRead} shows no node with matching pods missing from it; until then the
 * reconciler acts on nothing and looks again (the pod events wake it as the caches catch up).
 */
final class TargetConfirmation {

  private TargetConfirmation() {}

  /**
   * True when a plan in {@code phase} for the rollout {@code digest} would declare it complete
   * for the first time: the rollout state stored in the status ({@code stored}, may be null)
   * holds no completion for this digest. A rollout once complete is not confirmed again (a
   * OneShot rollout keeps its nodes, and later pods are not its targets). The planner sets
   * {@link RolloutPlan#needsConfirmation} with it.
   */
  static boolean needed(RolloutPhase phase, RolloutState stored, String digest) {
    boolean completedBefore = stored != null && stored.completedAt != null
        && Objects.equals(stored.digest, digest);
    return phase == RolloutPhase.COMPLETE && !completedBefore;
  }

  /**
   * True when every node on which the API server has matching pods ({@code nodesWithTargets},
   * resolved from a consistent read) is a node of the plan's rollout.
   */
  static boolean confirms(RolloutPlan plan, Set<String> nodesWithTargets) {
    return plan.progress().keySet().containsAll(nodesWithTargets);
  }

  /**
   * True when no node the plan skips for want of an agent has a live agent according to the API
   * server ({@code liveAgents}, from a consistent read of the agents' Leases): the Lease cache
   * lags like the others, and a rollout completed by skipping nodes whose agents are alive would be
   * complete because of a lagging cache.
   */
  static boolean confirmsSkipped(RolloutPlan plan, Set<String> liveAgents) {
    return plan.targeted().stream().noneMatch(t -> t.progress() == NodeProgress.SKIPPED
        && liveAgents.contains(t.name()));
  }
}
