package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.engine.RuntimeMessage;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ulp messages -p PID}: the kulp runtime's message ring of a process, oldest first. */
@Command(name = "messages", description = "Print the kulp runtime's messages of a process (reads only).")
final class MessagesCommand implements Callable<Integer>, VerboseCommand {
  @Spec private CommandSpec spec;
  @Mixin private Verbosity verbosity;

  @Option(names = {"-p", "--process"}, paramLabel = "PID", required = true, description = "The process.")
  private int pid;

  @Override
  public Verbosity verbosity() {
    return verbosity;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Engine engine = new Engine(Engine.Options.defaults())) {
      for (RuntimeMessage m : engine.messages(pid)) {
        out.println(m.time() + " " + m.level() + ": " + m.text());
      }
    }
    out.flush();
    return 0;
  }
}
