package io.kulp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ulp}: kulp's command-line tool, compatible with libpulp's. Each subcommand is one
 * class listed here. Exit codes: 0 success, 1 failure, 2 usage error.
 */
@Command(
    name = "ulp",
    mixinStandardHelpOptions = true,
    versionProvider = UlpVersion.class,
    description = "Live patching of shared libraries in running processes.",
    subcommands = {
      PackerCommand.class,
      DumpCommand.class,
      ExtractCommand.class,
      LivepatchableCommand.class,
      TriggerCommand.class,
      PatchesCommand.class,
      CheckCommand.class,
      MessagesCommand.class,
      SetPatchableCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Ulp implements Runnable {
  @Spec private CommandSpec spec;

  public static void main(String[] args) {
    CommandLine cli = commandLine();
    int code = execute(cli, args);
    cli.getOut().flush();
    cli.getErr().flush();
    System.exit(code);
  }

  /** The configured command tree; tests execute it in-process. */
  public static CommandLine commandLine() {
    ErrorReporter errors = new ErrorReporter();
    return new CommandLine(new Ulp()).setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors);
  }

  /** Runs {@code args} on {@code cli}, with options allowed before the verb as libpulp allows them. */
  public static int execute(CommandLine cli, String... args) {
    return cli.execute(VerbFirst.reorder(cli.getCommandSpec(), args));
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: try `ulp --help`");
  }
}
