package io.kulp.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h}/{@code --help} on every verb, as libpulp's argp gives each command ({@code -?} too,
 * its short form): {@code ulp trigger --help} prints the verb's usage and exits 0.
 */
public final class HelpOption {
  @Option(names = {"-h", "--help", "-?"}, usageHelp = true, description = "Print this verb's usage and exit.")
  private boolean help;
}
