package io.kulp.engine;

/**
 * Fault injection for the tracer-death tests: with a step delay, the engine announces each step of
 * the protocol on stderr ({@code kulp-debug: step <name>}) and then sleeps that long, so a test can
 * kill it inside the very window it wants to prove safe. {@link PtraceEngine.Options#defaults()}
 * has none; the ulp CLI and the node agent read {@link #ENV} explicitly, and deploy/ never sets it.
 */
public final class StepDelay {
  /** The environment variable the CLI and the agent read the delay from, in milliseconds. */
  public static final String ENV = "KULP_DEBUG_STEP_DELAY_MS";

  private final long millis;

  StepDelay(long millis) {
    this.millis = millis;
  }

  /** The delay {@code env} sets through {@link #ENV}; zero when absent or not a number. */
  public static java.time.Duration fromEnvironment(java.util.Map<String, String> env) {
    String value = env.get(ENV);
    try {
      return java.time.Duration.ofMillis(value == null ? 0 : Math.max(0, Long.parseLong(value.trim())));
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
