package io.kulp.cli;

import io.kulp.engine.PtraceEngine;
import io.kulp.engine.StepDelay;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every {@code ulp} subcommand: the shared {@code -q}/{@code -v} and {@code -h} options, the output
 * streams, and the engine. A subcommand returns its exit code from {@link #call()}, or throws for
 * a failure ({@link ErrorReporter} prints it).
 */
abstract class UlpSubcommand implements Callable<Integer>, VerboseCommand {
  @Spec private CommandSpec spec;
  @Mixin private Verbosity verbosity;
  @Mixin private HelpOption help;

  @Override
  public final Verbosity verbosity() {
    return verbosity;
  }

  /** The exit status when the command fails ({@link ErrorReporter} uses it). */
  public int failureExitCode() {
    return ErrorReporter.FAILURE;
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

  /** What this command runs with: its working directory and environment. */
  protected final Invocation invocation() {
    return Invocation.of(spec);
  }

  /** The engine's options for this run: the defaults, and the test-only step delay from the environment. */
  protected final PtraceEngine.Options engineOptions() {
    return PtraceEngine.Options.defaults().withStepDelay(StepDelay.fromEnvironment(invocation().environment()));
  }
}
