package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.engine.PtraceEngine;
import io.kulp.engine.RuntimeMessage;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ulp messages -p PID}: the kulp runtime's message ring of a process, oldest first. */
@Command(name = "messages", description = "Print the kulp runtime's messages of a process (reads only).")
final class MessagesCommand extends UlpSubcommand {

  @Option(names = {"-p", "--process"}, paramLabel = "PID", required = true, description = "The process.")
  private int pid;

  @Override
  public Integer call() throws Exception {
    ProcessSelector.checkPid(pid, Integer.toString(pid), spec());
    PrintWriter out = out();
    try (Engine engine = new PtraceEngine(engineOptions())) {
      for (RuntimeMessage m : engine.messages(pid)) {
        out.println(m.time() + " " + m.level() + ": " + m.text());
      }
    }
    out.flush();
    return 0;
  }
}
