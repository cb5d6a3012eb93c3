package io.kulp.cli;

/** A subcommand with {@link Verbosity} options, so the error reporter knows whether to print stack traces. */
public interface VerboseCommand {
  Verbosity verbosity();
}
