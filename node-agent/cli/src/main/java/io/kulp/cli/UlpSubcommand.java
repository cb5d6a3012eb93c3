package io.kulp.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of a {@code ulp} subcommand: the shared {@code -q}/{@code -v} options and the output
 * stream. A subcommand returns its exit code from {@link #call()}, or throws for a failure
 * ({@link ErrorReporter} prints it).
 */
abstract class UlpSubcommand implements Callable<Integer>, VerboseCommand {
  @Spec private CommandSpec spec;
  @Mixin private Verbosity verbosity;

  @Override
  public final Verbosity verbosity() {
    return verbosity;
  }

  /** Standard output, as picocli configures it (tests capture it). */
  protected final PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
