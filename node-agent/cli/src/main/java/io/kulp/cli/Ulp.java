package io.kulp.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ulp}: kulp's command-line tool, compatible with libpulp's. Each subcommand is one
 * class listed in {@link #VERBS}. Exit codes: 0 success, 1 failure, 2 usage error.
 */
@Command(
    name = "ulp",
    mixinStandardHelpOptions = true,
    versionProvider = UlpVersion.class,
    description = "Live patching of shared libraries in running processes.",
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  ULP_DAEMON=off      Run every command in a JVM of its own. By default trigger, patches, check, messages"
            + " and set_patchable go to a resident engine, which the first of them starts (about 10 ms a command"
            + " instead of 120).",
        "  ULP_DAEMON_IDLE=S   Seconds the resident engine waits for a command before it leaves (default 300).",
        "  ULP_DAEMON_DIR=DIR  The directory of its socket, mode 0700 (default /run/kulp for root,"
            + " $XDG_RUNTIME_DIR/kulp otherwise).",
        "  ULP_JAVA_OPTS=...   Options for the JVM; the command then runs in a JVM of its own."})
public final class Ulp implements Runnable {
  /** The subcommands, in the order of `ulp --help`. */
  static final List<Class<?>> VERBS = List.of(
      PackerCommand.class,
      PostCommand.class,
      DumpCommand.class,
      ExtractCommand.class,
      LivepatchableCommand.class,
      TriggerCommand.class,
      PatchesCommand.class,
      CheckCommand.class,
      MessagesCommand.class,
      SetPatchableCommand.class,
      CommandLine.HelpCommand.class);

  @Spec private CommandSpec spec;
  private final Invocation invocation;

  private Ulp(Invocation invocation) {
    this.invocation = invocation;
  }

  /** What this command runs with: its working directory and environment ({@link Invocation}). */
  Invocation invocation() {
    return invocation;
  }

  public static void main(String[] args) {
    CommandLine cli = commandLine(args);
    int code = execute(cli, args);
    cli.getOut().flush();
    cli.getErr().flush();
    System.exit(code);
  }

  /** The whole command tree; tests execute it in-process. */
  public static CommandLine commandLine() {
    return commandLine(VERBS);
  }

  /**
   * The command tree for {@code args}: only the verbs named in them, or every verb when none is
   * or when they ask for help. picocli builds the model of each verb by reflection, which took more of
   * a `ulp` process's time than anything else; a run needs one verb.
   */
  static CommandLine commandLine(String[] args) {
    return commandLine(args, Invocation.thisProcess());
  }

  /** {@link #commandLine(String[])}, for a command sent by a {@code ulp-client} to the resident engine. */
  static CommandLine commandLine(String[] args, Invocation invocation) {
    List<Class<?>> named = namedVerbs(args);
    return commandLine(named.isEmpty() || named.contains(CommandLine.HelpCommand.class) ? VERBS : named, invocation);
  }

  /** The verbs whose names appear among {@code args}. */
  static List<Class<?>> namedVerbs(String[] args) {
    Set<String> words = Set.copyOf(Arrays.asList(args));
    return VERBS.stream().filter(v -> words.contains(v.getAnnotation(Command.class).name())).toList();
  }

  private static CommandLine commandLine(List<Class<?>> verbs) {
    return commandLine(verbs, Invocation.thisProcess());
  }

  private static CommandLine commandLine(List<Class<?>> verbs, Invocation invocation) {
    ErrorReporter errors = new ErrorReporter();
    CommandLine cli = new CommandLine(new Ulp(invocation));
    for (Class<?> verb : verbs) {
      cli.addSubcommand(verb);
    }
    return cli.setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors);
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
