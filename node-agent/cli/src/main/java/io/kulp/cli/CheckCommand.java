package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.engine.PtraceEngine;
import io.kulp.patch.PatchContainer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ulp check -p PID PATCH}: exit 0 when the patch is applied in the process, 1 when not. */
@Command(name = "check", description = "Exit 0 if PATCH is applied in the process, 1 if not (reads only).")
final class CheckCommand extends UlpSubcommand {

  @Option(names = {"-p", "--process"}, paramLabel = "PID", required = true, description = "The process.")
  private int pid;

  @Parameters(paramLabel = "PATCH", description = "A patch container.")
  private Path patch;

  @Override
  public Integer call() throws Exception {
    ProcessSelector.checkPid(pid, Integer.toString(pid), spec());
    String id = PatchContainer.read(patch).apply().id().hex();
    boolean applied;
    try (Engine engine = new PtraceEngine(engineOptions())) {
      applied = engine.read(pid).patches().stream().anyMatch(p -> p.id().equals(id));
    }
    if (!verbosity().quiet()) {
      out().println(patch.getFileName() + " (" + id + ") is " + (applied ? "" : "not ")
          + "applied in process " + pid);
    }
    return applied ? 0 : 1;
  }
}
