package io.kulp.engine;

/** How an operation on one process ended. */
public enum Outcome {
  /** The patch is now active in the process. */
  APPLIED,
  /** The patch (or every patch of the library) is no longer active in the process. */
  REVERTED,
  /** Nothing to do in this process: it lacks the library, has another build of it, already has the patch... */
  SKIPPED,
  /** The operation could not be made; the process is unchanged. */
  FAILED
}
