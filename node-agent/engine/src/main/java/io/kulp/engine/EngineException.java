package io.kulp.engine;

/** An operation on one process ended without doing it; {@link #outcome} says how to count it. */
public final class EngineException extends Exception {
  private final Outcome outcome;
  private boolean noRuntime;

  EngineException(Outcome outcome, String message) {
    super(message);
    this.outcome = outcome;
  }

  EngineException(Outcome outcome, String message, Throwable cause) {
    super(message, cause);
    this.outcome = outcome;
  }

  public Outcome outcome() {
    return outcome;
  }

  static EngineException failed(String message) {
    return new EngineException(Outcome.FAILED, message);
  }

  /** The process does not have the kulp runtime: skipped, and marked so. */
  static EngineException noRuntime(String message) {
    EngineException e = new EngineException(Outcome.SKIPPED, message);
    e.noRuntime = true;
    return e;
  }

  boolean noRuntime() {
    return noRuntime;
  }

  static EngineException skipped(String message) {
    return new EngineException(Outcome.SKIPPED, message);
  }
}
