package io.kulp.cli;

import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Engine;
import io.kulp.engine.EngineException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ulp patches}: the processes that have the kulp runtime, their live-patchable libraries
 * and their applied patches. It reads memory only: no process is stopped or signalled.
 */
@Command(name = "patches", description = "List processes with the kulp runtime and their live patches (reads only).")
final class PatchesCommand implements Callable<Integer>, VerboseCommand {
  @Spec private CommandSpec spec;
  @Mixin private Verbosity verbosity;

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD", description = "Only these processes.")
  private String process;

  @Override
  public Verbosity verbosity() {
    return verbosity;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Engine.Options options = Engine.Options.defaults();
    int failures = 0;
    try (Engine engine = new Engine(options)) {
      List<Integer> pids = ProcessSelector.select(process, engine, options.procRoot(), spec);
      for (int pid : pids) {
        List<AppliedPatch> applied;
        try {
          applied = engine.patches(pid);
        } catch (EngineException e) {
          if (process != null) {
            err.println("ulp patches: " + e.getMessage());
            failures++;
          }
          continue;
        }
        out.println("PID: " + pid + ", name: " + ProcessNames.of(options.procRoot(), pid));
        out.println("  Live-patchable libraries:");
        try {
          for (String lib : engine.livePatchableLibraries(pid)) {
            out.println("    " + lib);
          }
        } catch (EngineException e) {
          out.println("    (" + e.getMessage() + ")");
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
