package io.kulp.cli;

import io.kulp.engine.EngineException;
import io.kulp.engine.PtraceEngine;
import io.kulp.patch.PatchContainer;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp check -p PID|WILDCARD PATCH}: libpulp's exit status, which inverts the usual
 * convention: 1 when the patch is applied in the process, 0 when it is not, and 255 when that
 * cannot be told (libpulp returns -1). kulp once answered 0 for applied; a script written for
 * libpulp would then have read every applied patch as missing and every error as applied,
 * silently, so kulp follows libpulp. libpulp takes a PID only; kulp also takes a wildcard over
 * process names, as {@code trigger} does: one line per process with the runtime, and 1 only when
 * the patch is applied in every one of them.
 */
@Command(name = "check", description = {"Tell whether PATCH is applied in the processes (reads only).",
    "Exit status, as libpulp's: 1 applied (in every process matched), 0 not applied (in one or more), 255 cannot"
        + " tell, 2 usage error."})
final class CheckCommand extends UlpSubcommand {
  /** The exit status when the patch is applied. */
  static final int APPLIED = 1;
  /** The exit status when it is not. */
  static final int NOT_APPLIED = 0;
  /** The exit status when the process or the patch cannot be read: neither answer above. */
  static final int CANNOT_TELL = 255;

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD", required = true,
      description = "A PID, or a wildcard over process names (quote it): the processes with libpulp.so it matches.")
  private String process;

  @Parameters(paramLabel = "PATCH", description = "A patch container.")
  private Path patch;

  @Override
  public int failureExitCode() {
    return CANNOT_TELL;
  }

  @Override
  public Integer call() throws Exception {
    ProcessSelector.Selection selection = ProcessSelector.withRuntime(process, spec());
    String id = PatchContainer.read(invocation().resolve(patch)).apply().id().hex();
    int applied = 0;
    int unknown = 0;
    List<Integer> pids = selection.pids(engineOptions().procRoot());
    try (PtraceEngine engine = new PtraceEngine(engineOptions())) {
      for (int pid : pids) {
        boolean here;
        try {
          here = engine.read(pid).patches().stream().anyMatch(p -> p.id().equals(id));
        } catch (EngineException e) {
          if (selection.byPid()) {
            throw e;
          }
          err().println("ulp check: " + e.getMessage());
          unknown++;
          continue;
        }
        applied += here ? 1 : 0;
        if (!verbosity().quiet()) {
          out().println(patch.getFileName() + " (" + id + ") is " + (here ? "" : "not ") + "applied in process "
              + pid);
        }
      }
    }
    out().flush();
    err().flush();
    return unknown > 0 ? CANNOT_TELL : applied == pids.size() ? APPLIED : NOT_APPLIED;
  }
}
