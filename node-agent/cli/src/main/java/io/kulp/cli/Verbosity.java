package io.kulp.cli;

import picocli.CommandLine.Option;

/** The {@code -q}/{@code -v} options every subcommand shares. */
public final class Verbosity {
  @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
  private boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Print details, and stack traces with errors.")
  private boolean verbose;

  public boolean quiet() {
    return quiet && !verbose;
  }

  public boolean verbose() {
    return verbose;
  }
}
