package io.kulp.api.v1alpha1;

/** Where a node's agent is with the current LivePatchNode spec. */
public enum NodePhase {
  /** The agent is working on it. */
  InProgress,
  /** Every target process is in the desired state or was skipped. Final for the generation. */
  Succeeded,
  /** At least one target process failed. Final for the generation. */
  Failed
}
