package io.kulp.cli;

import io.kulp.engine.AppliedPatch;
import io.kulp.engine.EngineException;
import io.kulp.engine.PtraceEngine;
import io.kulp.engine.Target;
import io.kulp.elf.BuildId;
import io.kulp.host.HostProcesses;
import io.kulp.host.MappedFiles;
import io.kulp.host.Mapping;
import java.io.IOException;
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

  @Option(names = {"-u", "--user"}, paramLabel = "UID|WILDCARD",
      description = "Only processes of this user: a UID, or a wildcard over user names.")
  private String user;

  @Option(names = {"-b", "--buildid"}, description = "Print each library's build-id.")
  private boolean buildId;

  @Option(names = "--only-livepatched", description = "Print only processes with a patch applied.")
  private boolean onlyLivepatched;

  @Option(names = "--disable-threading", description = "Accepted for libpulp compatibility; `ulp patches` reads"
      + " one process at a time anyway.")
  private boolean disableThreading;

  @Option(names = "--color", paramLabel = "yes|no|auto", description = "Accepted for libpulp compatibility; kulp"
      + " prints no colours.")
  private String color;

  @Override
  public Integer call() {
    PrintWriter out = out();
    PrintWriter err = err();
    PtraceEngine.Options options = engineOptions();
    int failures = 0;
    try (PtraceEngine engine = new PtraceEngine(options)) {
      for (int pid : ProcessSelector.select(process, user, options.procRoot(), spec())) {
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
        if (onlyLivepatched && applied.isEmpty()) {
          continue;
        }
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
          out.println("    " + lib + (buildId ? " (" + buildId(target, engine, lib) + ")" : ""));
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

  /** The build-id of {@code library} as the process maps it, in hex, or why it cannot be read. */
  private static String buildId(Target target, PtraceEngine engine, String library) {
    for (Mapping m : target.maps().mappings()) {
      if (m.offset() == 0 && m.path().equals(library)) {
        try {
          // The same fact, under the same name, as the engine's own library lookup.
          String hex = engine.files().fact(target.maps().via(), m, "build-id",
              elf -> MappedFiles.unchecked(() -> elf.buildId().map(BuildId::hex).orElse("")));
          return hex.isEmpty() ? "no build-id" : hex;
        } catch (IOException e) {
          return "build-id unreadable: " + e.getMessage();
        }
      }
    }
    return "build-id unknown";
  }
}
