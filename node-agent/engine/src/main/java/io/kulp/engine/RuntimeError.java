package io.kulp.engine;

import java.util.Arrays;

/**
 * The runtime's status codes, mirroring the KULP_ERRORS table of kulp.h (RuntimeErrorTest keeps
 * the two identical), and what each means for the operation ({@link #disposition()}).
 */
public enum RuntimeError {
  OK(0, "ok"),
  AGAIN(1, "unsafe right now, try again"),
  BUSY(2, "another request is in progress"),
  BAD_REQUEST(3, "malformed request"),
  BAD_METADATA(4, "malformed or truncated .ulp metadata"),
  LIB_NOT_LOADED(5, "target library is not loaded in this process"),
  BUILDID_MISMATCH(6, "target library build-id does not match the patch"),
  NO_BUILDID(7, "target library has no build-id"),
  ALREADY_APPLIED(8, "patch is already applied"),
  NOT_APPLIED(9, "patch is not applied"),
  BAD_FUNCTION(10, "target function is outside the library's code"),
  PADDING(11, "function padding is not intact (not live-patchable)"),
  DLOPEN(12, "cannot load the patch container"),
  CONTAINER_MISMATCH(13, "loaded container is not the one the metadata names"),
  NEW_SYMBOL(14, "new function or reference not found in the patch"),
  TARGET_SYMBOL(15, "private reference cannot be resolved in the target"),
  CAPACITY(16, "too many patches, functions or gates"),
  TIMEOUT(17, "request deadline passed before any change was made"),
  WRITE(18, "cannot write code"),
  NO_PREPARED(19, "nothing prepared to commit"),
  INTERNAL(20, "internal error"),
  DISABLED(21, "live patching is disabled in this process"),
  ENTRY(22, "function entry differs from the library the patch was made for"),
  SIGTRAP(23, "a thread blocks SIGTRAP, which redirecting a function without padding needs"),
  CONSISTENT(24, "the patch needs the consistency check, which this engine did not ask for");

  private final int code;
  private final String text;

  RuntimeError(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public int code() {
    return code;
  }

  public String text() {
    return text;
  }

  /** What an answer of the runtime means for the operation. */
  enum Disposition {
    /** Made: the patch is applied or reverted. */
    DONE,
    /** Not for this process, or nothing to do: the process is skipped, unchanged. */
    SKIP,
    /** Not now: the runtime changed nothing; the operation is tried again. */
    RETRY,
    /** Refused: the runtime changed nothing, and trying again would not help. */
    FAIL,
    /** The change involves a patch packed with the consistency check: asked again, with it. */
    CHECK_CONSISTENCY
  }

  /** The one place that decides what each answer of the runtime means. */
  Disposition disposition() {
    return switch (this) {
      case OK -> Disposition.DONE;
      case LIB_NOT_LOADED, BUILDID_MISMATCH, NO_BUILDID, ALREADY_APPLIED, NOT_APPLIED, DISABLED -> Disposition.SKIP;
      // A thread that blocks SIGTRAP is usually starting up (glibc blocks every signal while it
      // creates a thread) or briefly in a critical section: try again; one that keeps it blocked
      // makes the operation fail with the runtime's reason once the retries are spent.
      case AGAIN, BUSY, SIGTRAP -> Disposition.RETRY;
      case CONSISTENT -> Disposition.CHECK_CONSISTENCY;
      default -> Disposition.FAIL;
    };
  }

  /** Why a skipped process was skipped, as the engine's callers read it; null for other answers. */
  Reason reason() {
    return switch (this) {
      case LIB_NOT_LOADED -> Reason.LIBRARY_NOT_LOADED;
      case BUILDID_MISMATCH -> Reason.OTHER_BUILD;
      case NO_BUILDID -> Reason.NO_BUILD_ID;
      case ALREADY_APPLIED -> Reason.ALREADY_APPLIED;
      case NOT_APPLIED -> Reason.NOT_APPLIED;
      case DISABLED -> Reason.DISABLED;
      default -> null;
    };
  }

  /** What to do about a refusal, appended to its message; "" when the message says enough. */
  String hint() {
    return switch (this) {
      case DLOPEN -> " (is the container readable inside the process's filesystem?)";
      case PADDING -> " (the target must be built with -fpatchable-function-entry=16,14)";
      case BAD_METADATA, CONTAINER_MISMATCH -> " (repack the container with `ulp packer`)";
      case WRITE -> " (the process refuses code writes; see `ulp messages -p PID`)";
      case ENTRY -> " (was the patch packed for this build, and is no other tool patching it?)";
      default -> "";
    };
  }

  public static RuntimeError of(int code) {
    return Arrays.stream(values()).filter(e -> e.code == code).findFirst().orElse(INTERNAL);
  }
}
