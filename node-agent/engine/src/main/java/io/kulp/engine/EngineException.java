package io.kulp.engine;

/**
 * An operation on one process ended without doing it: {@link #outcome} says how to count it,
 * {@link #reason} why, when a caller may decide by it.
 */
public final class EngineException extends Exception {
  private final Outcome outcome;
  private final Reason reason;

  public EngineException(Outcome outcome, Reason reason, String message) {
    super(message);
    this.outcome = outcome;
    this.reason = reason;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Why, when a caller may decide by it; null when only the message tells. */
  public Reason reason() {
    return reason;
  }

  static EngineException failed(String message) {
    return new EngineException(Outcome.FAILED, null, message);
  }

  /** The process exited: the operation failed, and nothing is left to do in it. */
  static EngineException gone(int pid) {
    return new EngineException(Outcome.FAILED, Reason.GONE, "no such process: " + pid + " (it exited)");
  }

  /** Not for this process (no runtime, no library, another build...): skipped. */
  static EngineException skipped(Reason reason, String message) {
    return new EngineException(Outcome.SKIPPED, reason, message);
  }
}
