package io.kulp.engine;

/**
 * Why an operation left a process as it was, for the callers that decide by it rather than by a
 * message: the node agent looks at a process again later when it lacked the runtime or the
 * library, and counts a process that exited apart from one that failed.
 */
public enum Reason {
  /** The process exited. */
  GONE,
  /** kulp's runtime (libpulp.so) is not loaded in the process. */
  NO_RUNTIME,
  /** The process's runtime speaks another ABI version than this engine (another kulp release). */
  OTHER_RUNTIME_VERSION,
  /** The patch's target library is not loaded in the process. */
  LIBRARY_NOT_LOADED,
  /** The target library in the process has no build-id, so the patch cannot be matched to it. */
  NO_BUILD_ID,
  /** The process has another build of the target library than the patch is for. */
  OTHER_BUILD,
  /** The patch is already applied. */
  ALREADY_APPLIED,
  /** The patch to revert is not applied. */
  NOT_APPLIED,
  /** The runtime is inert in the process: a LIBPULP_DISABLE_ON_* switch, or ulp set_patchable disable. */
  DISABLED
}
