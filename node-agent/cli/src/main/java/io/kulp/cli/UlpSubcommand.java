package io.kulp.cli;

import io.kulp.engine.PtraceEngine;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every {@code ulp} subcommand: the shared {@code -q}/{@code -v} options, the output
 * streams, and the engine. A subcommand returns its exit code from {@link #call()}, or throws for
 * a failure ({@link ErrorReporter} prints it).
 */
abstract class UlpSubcommand implements Callable<Integer>, VerboseCommand {
  /**
   * Fault injection for the tracer-death tests: the engine pauses this many milliseconds at each
   * step of the protocol and announces it on stderr. Only the CLI reads it; the node agent never
   * does.
   */
  static final String ENV_DEBUG_STEP_DELAY_MS = "KULP_DEBUG_STEP_DELAY_MS";

  @Spec private CommandSpec spec;
  @Mixin private Verbosity verbosity;

  @Override
  public final Verbosity verbosity() {
    return verbosity;
  }

  protected final CommandSpec spec() {
    return spec;
  }

  /** Standard output, as picocli configures it (tests capture it). */
  protected final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Standard error, as picocli configures it. */
  protected final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** The engine's options for this run: the defaults, and the test-only step delay from the environment. */
  protected static PtraceEngine.Options engineOptions() {
    return PtraceEngine.Options.defaults().withStepDelay(stepDelay(System.getenv(ENV_DEBUG_STEP_DELAY_MS)));
  }

  static Duration stepDelay(String value) {
    try {
      return Duration.ofMillis(value == null ? 0 : Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return Duration.ZERO;
    }
  }
}
