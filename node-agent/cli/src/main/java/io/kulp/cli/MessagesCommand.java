package io.kulp.cli;

import io.kulp.engine.EngineException;
import io.kulp.engine.PtraceEngine;
import io.kulp.engine.RuntimeMessage;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ulp messages -p PID|WILDCARD}: the kulp runtime's message ring of a process, oldest
 * first. libpulp takes a PID only; with a wildcard over process names, each process with the
 * runtime that it matches is printed under a {@code PID: N, name: NAME} line, as {@code ulp patches}
 * heads its processes.
 */
@Command(name = "messages", description = "Print the kulp runtime's messages of processes (reads only).")
final class MessagesCommand extends UlpSubcommand {

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD", required = true,
      description = "A PID, or a wildcard over process names (quote it): the processes with libpulp.so it matches.")
  private String process;

  @Override
  public Integer call() throws Exception {
    ProcessSelector.Selection selection = ProcessSelector.withRuntime(process, spec());
    PrintWriter out = out();
    int failures = 0;
    try (PtraceEngine engine = new PtraceEngine(engineOptions())) {
      List<Integer> pids = selection.pids(engineOptions().procRoot());
      for (int pid : pids) {
        List<RuntimeMessage> messages;
        String header;
        try {
          header = selection.byPid() ? null : "PID: " + pid + ", name: " + engine.read(pid).name();
          messages = engine.messages(pid);
        } catch (EngineException e) {
          if (selection.byPid()) {
            throw e;
          }
          err().println("ulp messages: " + e.getMessage());
          failures++;
          continue;
        }
        if (header != null) {
          out.println(header);
        }
        for (RuntimeMessage m : messages) {
          out.println((selection.byPid() ? "" : "  ") + m.time() + " " + m.level() + ": " + m.text());
        }
      }
    }
    out.flush();
    err().flush();
    return failures > 0 ? ErrorReporter.FAILURE : 0;
  }
}
