package io.kulp.api.v1alpha1;

/** The outcome of the action in one process. */
public enum ProcessResult {
  /** The patch is applied in the process. */
  Applied,
  /** The patch (or every kulp patch of the library, for RevertAll) is reverted. */
  Reverted,
  /** Nothing was done on purpose; the reason says why. */
  Skipped,
  /** The action failed; the reason says why. */
  Failed
}
