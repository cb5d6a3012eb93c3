package io.kulp.cli;

import io.kulp.engine.AppliedPatch;
import io.kulp.engine.EngineException;
import io.kulp.engine.PtraceEngine;
import io.kulp.engine.Target;
import io.kulp.host.HostProcesses;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ulp patches}: the processes that have the kulp runtime, their live-patchable libraries
 * and their applied patches. It reads memory only: no process is stopped or signalled.
 */
@Command(name = "patches", description = "List processes with the kulp runtime and their live patches (reads only).")
final class PatchesCommand extends UlpSubcommand {

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD", description = "Only these processes.")
  private String process;

  @Override
  public Integer call() {
    PrintWriter out = out();
    PrintWriter err = err();
    PtraceEngine.Options options = engineOptions();
    int failures = 0;
    try (PtraceEngine engine = new PtraceEngine(options)) {
      for (int pid : ProcessSelector.select(process, options.procRoot(), spec())) {
        Target target;
        try {
          target = engine.read(pid);
        } catch (EngineException e) {
          if (process != null) {
            err.println("ulp patches: " + e.getMessage());
            failures++;
          }
          continue;
        }
        List<AppliedPatch> applied = target.patches();
        out.println("PID: " + pid + ", name: " + target.name());
        target.disabledBy().ifPresent(why -> out.println("  Live patching: disabled by " + why));
        out.println("  Live-patchable libraries:");
        // As for a process that cannot be read: said only of the processes asked for.
        List<String> libraries = HostProcesses.livePatchableLibraries(target.maps(), engine.files(), why -> {
          if (process != null) {
            err.println("ulp patches: process " + pid + ": " + why);
          }
        });
        for (String lib : libraries) {
          out.println("    " + lib);
        }
        out.println("  Applied patches:" + (applied.isEmpty() ? " none" : ""));
        for (AppliedPatch p : applied) {
          out.println("    " + p.id() + " on " + p.library() + ", applied " + p.appliedAt() + " from " + p.path());
          if (!p.labels().isEmpty()) {
            out.println("      labels: " + String.join(", ", p.labels()));
          }
          for (AppliedPatch.Function f : p.functions()) {
            out.println("      " + f.oldName() + " -> " + f.newName() + (f.active() ? "" : " (overridden by a newer patch)"));
          }
        }
      }
    }
    out.flush();
    return failures > 0 ? ErrorReporter.FAILURE : 0;
  }
}
