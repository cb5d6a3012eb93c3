package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.engine.PtraceEngine;
import io.kulp.patch.PatchContainer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp check -p PID PATCH}: libpulp's exit status, which inverts the usual convention: 1 when
 * the patch is applied in the process, 0 when it is not, and 255 when that cannot be told (libpulp
 * returns -1). kulp once answered 0 for applied; a script written for libpulp would then have read
 * every applied patch as missing and every error as applied, silently, so kulp follows libpulp.
 */
@Command(name = "check", description = {"Tell whether PATCH is applied in the process (reads only).",
    "Exit status, as libpulp's: 1 applied, 0 not applied, 255 cannot tell, 2 usage error."})
final class CheckCommand extends UlpSubcommand {
  /** The exit status when the patch is applied. */
  static final int APPLIED = 1;
  /** The exit status when it is not. */
  static final int NOT_APPLIED = 0;
  /** The exit status when the process or the patch cannot be read: neither answer above. */
  static final int CANNOT_TELL = 255;

  @Option(names = {"-p", "--process"}, paramLabel = "PID", required = true, description = "The process.")
  private int pid;

  @Parameters(paramLabel = "PATCH", description = "A patch container.")
  private Path patch;

  @Override
  public int failureExitCode() {
    return CANNOT_TELL;
  }

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
    return applied ? APPLIED : NOT_APPLIED;
  }
}
