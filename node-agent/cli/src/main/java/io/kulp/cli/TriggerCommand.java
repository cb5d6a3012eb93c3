package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.engine.Operation;
import io.kulp.engine.OperationResult;
import io.kulp.engine.ProcessPool;
import io.kulp.engine.PtraceEngine;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp trigger}: apply patches to running processes, or revert them. Exits 1 when any
 * process failed (libpulp exits 0 then); skipped processes (no such library, another build of
 * it, already applied) and processes that exited meanwhile ("gone") are not failures.
 * {@link TriggerReport} prints the results.
 */
@Command(name = "trigger", description = "Apply live patches to running processes, or revert them.")
final class TriggerCommand extends UlpSubcommand {
  /** The {@code --revert-all} value that means "the library each given patch targets", as in libpulp. */
  static final String REVERT_ALL_TARGET = "target";

  /** The longest --timeout: a day; a longer wait on one process is a mistake, and nanoseconds must not overflow. */
  static final double MAX_TIMEOUT_SECONDS = 86_400;

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD",
      description = "A PID, or a wildcard over process names (quote it). Default: every process with libpulp.so.")
  private String process;

  @Option(names = "--revert", description = "Revert the given patches instead of applying them.")
  private boolean revert;

  @Option(names = "--revert-all", paramLabel = "LIB",
      description = {"Revert every patch of library LIB (a basename); with PATCHes, then apply each, in one change"
          + " per patch.", "LIB=target: the library each PATCH targets."})
  private String revertAll;

  @Option(names = {"-u", "--user"}, paramLabel = "UID|WILDCARD",
      description = "Only processes of this user: a UID, or a wildcard over user names (libpulp's `ulp patches -u`;"
          + " libpulp's trigger refuses it).")
  private String user;

  @Option(names = {"-r", "--retries"}, paramLabel = "N", description = {"Retries when a process is busy (default:"
      + " ${DEFAULT-VALUE}).", "libpulp: N attempts, default 1 (README: why kulp retries more)."})
  private int retries = 5;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = {"Time limit per process (default:"
      + " ${DEFAULT-VALUE}).", "libpulp: 200 (README: why kulp waits less)."})
  private double timeout = 10;

  @Option(names = "--recursive", description = "A PATCH wildcard matches in the directories below its own too.")
  private boolean recursive;

  @Option(names = "--disable-summarization", description = "Print every result, skipped ones too (as -v does for"
      + " them).")
  private boolean disableSummarization;

  @Option(names = "--disable-threading", description = "Work on one process at a time.")
  private boolean disableThreading;

  @Option(names = {"-c", "--check-stack"}, description = "Accepted for libpulp compatibility; has no effect: kulp"
      + " does not unwind thread stacks. A thread inside a replaced function finishes it in the old code; every"
      + " call from then on runs the new one (docs/design.md).")
  private boolean checkStack;

  @Option(names = "--color", paramLabel = "yes|no|auto", description = "Accepted for libpulp compatibility; kulp"
      + " prints no colours.")
  private String color;

  @Option(names = {"-R", "--root"}, paramLabel = "PREFIX",
      description = "Tell the process to load each PATCH from PREFIX followed by its real path here, as libpulp"
          + " does (for a process that sees this filesystem under PREFIX).")
  private String root;

  @Option(names = "--disable-seccomp", description = "Accepted for libpulp compatibility; has no effect: kulp"
      + " never lifts a process's seccomp filters (it writes the code itself when they forbid writable code).")
  private boolean disableSeccomp;

  @Parameters(paramLabel = "PATCH", arity = "0..*", description = "Patch containers; a quoted wildcard is expanded by ulp.")
  private List<String> patches = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    checkLimits();
    List<Operation> ops = operations();
    PtraceEngine.Options options = engineOptions().withRetries(retries)
        .withTimeout(Duration.ofMillis((long) (timeout * 1000)));
    List<Integer> pids = ProcessSelector.select(process, user, options.procRoot(), spec());
    if (pids.isEmpty()) {
      throw new ParameterException(spec().commandLine(), process == null && user == null
          ? "no process has libpulp.so loaded" : "no process matches '" + (process == null ? "*" : process) + "'"
          + (user == null ? "" : " of user '" + user + "'"));
    }
    if (checkStack) {
      err().println("ulp trigger: note: --check-stack has no effect in kulp (see `ulp trigger --help`)");
    }
    TriggerReport report = new TriggerReport(out(), err(), verbosity(), !disableSummarization, namedByPid(),
        pids.size(), Invocation.of(spec()).stderrIsTerminal());
    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(options)) {
      if (pids.size() == 1) {
        results = engine.run(pids.get(0), ops);
        if (namedByPid()) {
          // A process named by its PID that cannot be patched at all is an error, not a skip.
          results = results.stream().map(TriggerReport::noRuntimeIsFailure).toList();
        }
        report.processDone(results);
      } else {
        int parallelism = disableThreading ? 1 : ProcessPool.defaultParallelism();
        try (ProcessPool pool = new ProcessPool("ulp-trigger", parallelism)) {
          results = pool.map(pids, pid -> {
            List<OperationResult> one = engine.run(pid, ops);
            report.processDone(one);
            return one;
          }).stream().flatMap(List::stream).toList();
        }
      }
    }
    return report.finish(results);
  }

  /** Whether -p names one process by its PID, rather than matching names or taking every process. */
  private boolean namedByPid() {
    return process != null && process.matches("\\d+");
  }

  /** Numbers picocli parsed but the engine cannot take: usage errors, before anything is read. */
  private void checkLimits() {
    if (namedByPid()) {
      ProcessSelector.checkPid(process, spec());
    }
    // Written so that NaN fails too.
    if (!(timeout >= 0.001 && timeout <= MAX_TIMEOUT_SECONDS)) {
      throw new ParameterException(spec().commandLine(), "--timeout takes seconds from 0.001 to "
          + (long) MAX_TIMEOUT_SECONDS + ", not " + timeout);
    }
    if (retries < 0) {
      throw new ParameterException(spec().commandLine(), "--retries takes a count of 0 or more, not " + retries);
    }
  }

  private List<Operation> operations() throws Exception {
    List<Path> files = PatchFiles.expand(Invocation.of(spec()), patches, recursive);
    if (revert && revertAll != null) {
      throw new ParameterException(spec().commandLine(), "--revert and --revert-all cannot be combined");
    }
    if (revertAll != null) {
      return revertAllOperations(files);
    }
    if (files.isEmpty()) {
      throw new ParameterException(spec().commandLine(), "missing PATCH (or --revert-all=LIB)");
    }
    List<Operation> ops = new ArrayList<>();
    for (Path file : files) {
      PatchContainer container = PatchContainer.read(file);
      if (revert) {
        PatchMetadata rev = container.revert().orElse(container.apply());
        ops.add(new Operation.Revert(rev.id(), file.getFileName().toString()));
      } else {
        ops.add(new Operation.Apply(container, pathInTarget(file)));
      }
    }
    return ops;
  }

  /**
   * {@code --revert-all=LIB [PATCH...]}, as libpulp runs it: for each patch, every patch of LIB is
   * reverted and the new one applied, as one change (a process that lacks the patch's build of
   * its library is skipped, and keeps its patches). With {@code LIB=target}, LIB is each patch's
   * own target library. Without a patch, every patch of LIB is reverted.
   */
  private List<Operation> revertAllOperations(List<Path> files) throws Exception {
    // libpulp takes the basename of what it is given.
    String library = revertAll.substring(revertAll.lastIndexOf('/') + 1);
    if (library.isBlank()) {
      throw new ParameterException(spec().commandLine(), "--revert-all takes a library basename, e.g. libc.so.6,"
          + " or 'target'");
    }
    boolean target = library.equals(REVERT_ALL_TARGET);
    if (files.isEmpty()) {
      if (target) {
        throw new ParameterException(spec().commandLine(), "--revert-all=target reverts the patches of the library"
            + " a PATCH targets: give the PATCH");
      }
      return List.of(new Operation.RevertAll(library));
    }
    List<Operation> ops = new ArrayList<>();
    for (Path file : files) {
      PatchContainer container = PatchContainer.read(file);
      ops.add(new Operation.RevertAllApply(target ? container.apply().targetLibrary() : library, container,
          pathInTarget(file)));
    }
    return ops;
  }

  /**
   * Where the process loads {@code file} from: with {@code -R PREFIX}, PREFIX followed by the file's
   * real path, as libpulp builds it; otherwise null, and the engine checks that the process sees
   * the file at the same path as ulp.
   */
  private String pathInTarget(Path file) throws java.io.IOException {
    return root == null ? null : root.replaceAll("/+$", "") + file.toRealPath();
  }
}
