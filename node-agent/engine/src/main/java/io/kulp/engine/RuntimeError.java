package io.kulp.engine;

import java.util.Arrays;

/**
 * The runtime's status codes, mirroring the KULP_ERRORS table of kulp.h (RuntimeErrorTest keeps
 * the two identical), and what each means for the process: skipped (not for this process), retry,
 * or failed.
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
  INTERNAL(20, "internal error");

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

  /** Not for this process: the patch targets something it does not have. */
  public boolean skips() {
    return this == LIB_NOT_LOADED || this == BUILDID_MISMATCH || this == NO_BUILDID;
  }

  public static RuntimeError of(int code) {
    return Arrays.stream(values()).filter(e -> e.code == code).findFirst().orElse(INTERNAL);
  }
}
