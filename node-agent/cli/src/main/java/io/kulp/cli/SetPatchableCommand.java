package io.kulp.cli;

import io.kulp.engine.EngineException;
import io.kulp.engine.PtraceEngine;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp set_patchable enable|disable [-p PID|WILDCARD]}, libpulp's switch: disabled, a
 * process's runtime refuses every change (ulp trigger reports it skipped) until it is enabled
 * again; enabling also lifts a LIBPULP_DISABLE_ON_* switch, as in libpulp. Nothing is stopped.
 */
@Command(name = "set_patchable", description = "Enable or disable live patching in processes.")
final class SetPatchableCommand extends UlpSubcommand {
  enum Switch { enable, disable }

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD",
      description = "A PID, or a wildcard over process names (quote it). Default: every process with libpulp.so.")
  private String process;

  @Parameters(paramLabel = "enable|disable", description = "What to do.")
  private Switch change;

  @Override
  public Integer call() {
    PrintWriter out = out();
    PrintWriter err = err();
    PtraceEngine.Options options = engineOptions();
    boolean enable = change == Switch.enable;
    int failures = 0;
    try (PtraceEngine engine = new PtraceEngine(options)) {
      for (int pid : ProcessSelector.select(process, options.procRoot(), spec())) {
        Optional<String> before;
        try {
          before = engine.setPatchable(pid, enable);
        } catch (EngineException e) {
          // As `ulp patches`: a process that cannot be read is reported only when asked for by PID.
          if (process != null && process.matches("\\d+")) {
            err.println("ulp set_patchable: " + e.getMessage());
            failures++;
          }
          continue;
        }
        if (!verbosity().quiet()) {
          out.println("process " + pid + ": live patching is now " + change + "d"
              + before.map(why -> " (was disabled by " + why + ")").orElse(""));
        }
      }
    }
    out.flush();
    err.flush();
    return failures > 0 ? ErrorReporter.FAILURE : 0;
  }
}
