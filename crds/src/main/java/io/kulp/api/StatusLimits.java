package io.kulp.api;

/**
 * The size limits of a LivePatchNode status, so that a node with thousands of target processes
 * still fits in one object (see docs/api.md). The CRD enforces them (the {@code @Size}
 * annotations of the API types name these constants); the agent builds its reports within them.
 */
public final class StatusLimits {

  /** Most process records in {@code status.records}; the processes beyond are only counted. */
  public static final int MAX_RECORDS = 200;

  /** Most characters of a process record's {@code reason}; the agent shortens longer ones. */
  public static final int MAX_REASON_LENGTH = 512;

  private StatusLimits() {}
}
