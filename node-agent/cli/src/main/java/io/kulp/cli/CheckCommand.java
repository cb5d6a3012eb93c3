package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.patch.PatchContainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ulp check -p PID PATCH}: exit 0 when the patch is applied in the process, 1 when not. */
@Command(name = "check", description = "Exit 0 if PATCH is applied in the process, 1 if not (reads only).")
final class CheckCommand implements Callable<Integer>, VerboseCommand {
  @Spec private CommandSpec spec;
  @Mixin private Verbosity verbosity;

  @Option(names = {"-p", "--process"}, paramLabel = "PID", required = true, description = "The process.")
  private int pid;

  @Parameters(paramLabel = "PATCH", description = "A patch container.")
  private Path patch;

  @Override
  public Verbosity verbosity() {
    return verbosity;
  }

  @Override
  public Integer call() throws Exception {
    String id = PatchContainer.read(patch).apply().id().hex();
    boolean applied;
    try (Engine engine = new Engine(Engine.Options.defaults())) {
      applied = engine.patches(pid).stream().anyMatch(p -> p.id().equals(id));
    }
    if (!verbosity.quiet()) {
      spec.commandLine().getOut().println(patch.getFileName() + " (" + id + ") is " + (applied ? "" : "not ")
          + "applied in process " + pid);
    }
    return applied ? 0 : 1;
  }
}
