package io.kulp.operator.livepatch;

/** Where a rollout stands after one planning step. */
public enum RolloutPhase {
  /** Nodes are in progress or will be started. */
  ROLLING,
  /** spec.rollout.paused: nothing new is started. */
  PAUSED,
  /** The canary nodes are done; waiting for the canary pause to end. */
  CANARY_PAUSE,
  /** Too many nodes failed and onFailure is Pause. */
  FAILURE_PAUSE,
  /** Too many nodes failed and onFailure is RevertCompleted: nodes are reverting. */
  REVERTING,
  /** The rollback is finished: every node worked on has reported on the revert. */
  ROLLED_BACK,
  /** Every targeted node reported for the current spec. */
  COMPLETE
}
