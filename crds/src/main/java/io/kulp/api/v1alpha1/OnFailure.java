package io.kulp.api.v1alpha1;

/** The action of a failure policy once too many nodes failed. */
public enum OnFailure {
  /** Start no further node; wait for an admin. */
  Pause,
  /** Start no further node and revert the nodes already worked on. */
  RevertCompleted
}
