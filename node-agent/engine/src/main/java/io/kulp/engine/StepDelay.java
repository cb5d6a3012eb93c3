package io.kulp.engine;

/**
 * Fault injection for the tracer-death tests: with KULP_DEBUG_STEP_DELAY_MS set, the engine
 * announces each step of the protocol on stderr ({@code kulp-debug: step <name>}) and then sleeps
 * that long, so a test can kill it inside the very window it wants to prove safe. Off (zero)
 * unless the variable is set.
 */
final class StepDelay {
  private final long millis;

  StepDelay(long millis) {
    this.millis = millis;
  }

  static java.time.Duration fromEnvironment() {
    String value = System.getenv("KULP_DEBUG_STEP_DELAY_MS");
    try {
      return java.time.Duration.ofMillis(value == null ? 0 : Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return java.time.Duration.ZERO;
    }
  }

  void pause(String step) {
    if (millis > 0) {
      System.err.println("kulp-debug: step " + step);
      System.err.flush();
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
