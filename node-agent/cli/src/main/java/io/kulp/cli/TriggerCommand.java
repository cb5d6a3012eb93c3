package io.kulp.cli;

import io.kulp.engine.Engine;
import io.kulp.engine.Operation;
import io.kulp.engine.OperationResult;
import io.kulp.engine.Outcome;
import io.kulp.engine.ProcessPool;
import io.kulp.engine.PtraceEngine;
import io.kulp.engine.Reason;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp trigger}: apply patches to running processes, or revert them. Exits 1 when any
 * process failed (libpulp exits 0 then); skipped processes (no such library, another build of
 * it, already applied) are not failures.
 */
@Command(name = "trigger", description = "Apply live patches to running processes, or revert them.")
final class TriggerCommand extends UlpSubcommand {
  /** The longest --timeout: a day; a longer wait on one process is a mistake, and nanoseconds must not overflow. */
  static final double MAX_TIMEOUT_SECONDS = 86_400;

  @Option(names = {"-p", "--process"}, paramLabel = "PID|WILDCARD",
      description = "A PID, or a wildcard over process names (quote it). Default: every process with libpulp.so.")
  private String process;

  @Option(names = "--revert", description = "Revert the given patches instead of applying them.")
  private boolean revert;

  @Option(names = "--revert-all", paramLabel = "LIB",
      description = "Revert every patch of library LIB (a basename); with PATCH, then apply it, in one change.")
  private String revertAll;

  @Option(names = {"-r", "--retries"}, paramLabel = "N", description = "Retries when a process is busy (default: ${DEFAULT-VALUE}).")
  private int retries = 5;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "Time limit per process (default: ${DEFAULT-VALUE}).")
  private double timeout = 10;

  @Parameters(paramLabel = "PATCH", arity = "0..*", description = "Patch containers; a quoted wildcard is expanded by ulp.")
  private List<String> patches = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    checkLimits();
    List<Operation> ops = operations();
    PtraceEngine.Options options = engineOptions().withRetries(retries)
        .withTimeout(Duration.ofMillis((long) (timeout * 1000)));
    List<Integer> pids = ProcessSelector.select(process, options.procRoot(), spec());
    if (pids.isEmpty()) {
      throw new ParameterException(spec().commandLine(), process == null
          ? "no process has libpulp.so loaded" : "no process matches '" + process + "'");
    }
    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(options)) {
      if (pids.size() == 1) {
        results = engine.run(pids.get(0), ops);
      } else {
        try (ProcessPool pool = new ProcessPool("ulp-trigger", ProcessPool.defaultParallelism())) {
          results = pool.map(pids, pid -> engine.run(pid, ops)).stream().flatMap(List::stream).toList();
        }
      }
    }
    if (process != null && process.matches("\\d+")) {
      // A process named by its PID that cannot be patched at all is an error, not a skip.
      results = results.stream().map(r -> r.hasRuntime() ? r : new OperationResult(r.pid(), r.name(), r.operation(),
          Outcome.FAILED, Reason.NO_RUNTIME, r.message(), r.elapsed(), r.longestThreadStop())).toList();
    }
    return report(results);
  }

  /** Numbers picocli parsed but the engine cannot take: usage errors, before anything is read. */
  private void checkLimits() {
    if (process != null && process.matches("\\d+")) {
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
    List<Path> files = PatchFiles.expand(patches);
    if (revert && revertAll != null) {
      throw new ParameterException(spec().commandLine(), "--revert and --revert-all cannot be combined");
    }
    if (revertAll != null) {
      if (revertAll.isBlank() || revertAll.contains("/")) {
        throw new ParameterException(spec().commandLine(), "--revert-all takes a library basename, e.g. libc.so.6");
      }
      if (files.size() > 1) {
        throw new ParameterException(spec().commandLine(), "--revert-all=LIB takes at most one PATCH to apply after it");
      }
      return files.isEmpty() ? List.of(new Operation.RevertAll(revertAll))
          : List.of(new Operation.RevertAllApply(revertAll, PatchContainer.read(files.get(0)), null));
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
        ops.add(new Operation.Apply(container));
      }
    }
    return ops;
  }

  private int report(List<OperationResult> results) {
    PrintWriter out = out();
    PrintWriter err = err();
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    for (OperationResult r : results) {
      counts.merge(r.outcome(), 1, Integer::sum);
    }
    if (results.size() == 1) {
      OperationResult r = results.get(0);
      if (r.outcome() == Outcome.FAILED) {
        err.println("ulp trigger: live patching failed in process " + r.pid() + ": " + r.message());
      } else if (!verbosity().quiet()) {
        out.println(r.outcome() == Outcome.SKIPPED ? "live patching skipped: " + r.message()
            : "live patching succeeded" + (verbosity().verbose() ? ": " + r.message() + " in " + millis(r.elapsed())
                + "; application threads held at most " + micros(r.longestThreadStop()) : ""));
      }
    } else {
      for (OperationResult r : results) {
        boolean failed = r.outcome() == Outcome.FAILED;
        if (failed || (!verbosity().quiet() && (verbosity().verbose() || r.outcome() != Outcome.SKIPPED))) {
          (failed ? err : out).println(r.pid() + " (" + r.name() + "): " + r.outcome().name().toLowerCase() + ": "
              + r.operation() + ": " + r.message());
        }
      }
      if (!verbosity().quiet() || counts.containsKey(Outcome.FAILED)) {
        out.println("summary: " + counts.getOrDefault(Outcome.APPLIED, 0) + " applied, "
            + counts.getOrDefault(Outcome.REVERTED, 0) + " reverted, " + counts.getOrDefault(Outcome.SKIPPED, 0)
            + " skipped, " + counts.getOrDefault(Outcome.FAILED, 0) + " failed");
      }
    }
    out.flush();
    err.flush();
    return counts.containsKey(Outcome.FAILED) ? ErrorReporter.FAILURE : 0;
  }

  private static String micros(Duration d) {
    return String.format("%.0f µs", d.toNanos() / 1e3);
  }

  private static String millis(Duration d) {
    return String.format("%.2f ms", d.toNanos() / 1e6);
  }
}
