package io.kulp.cli;

import io.kulp.engine.OperationResult;
import io.kulp.engine.Outcome;
import io.kulp.engine.Reason;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code ulp trigger} prints. On many processes, as libpulp does: each process's results as
 * soon as that process is done (in the order processes finish), then the summary; and, when
 * stderr is a terminal and the run is long, a progress line there that the results scroll past.
 *
 * <p>Each result is counted as the engine counts it, except that a process that exited during the
 * run is "gone", not failed. It either exited before its patch landed (and was never touched) or
 * after (and was patched); neither is a failure of the trigger, as libpulp skips such a process
 * too. A process named by its PID is the exception: the one process asked for is not there, which
 * stays a failure.
 */
final class TriggerReport {
  /** How long a run goes before the progress line shows: shorter runs never draw it. */
  static final Duration PROGRESS_AFTER = Duration.ofMillis(500);

  enum Status { APPLIED, REVERTED, SKIPPED, GONE, FAILED }

  private final PrintWriter out;
  private final PrintWriter err;
  private final Verbosity verbosity;
  private final boolean summarize;
  private final boolean namedByPid;
  private final int processes;
  private final boolean progress;
  private final long start = System.nanoTime();
  private final Map<Status, Integer> counts = new EnumMap<>(Status.class);
  private int done;
  private boolean progressShown;

  /**
   * @param summarize false for libpulp's {@code --disable-summarization}: skipped results are
   *     printed too
   * @param progress whether a progress line may be drawn on stderr (a terminal)
   */
  TriggerReport(PrintWriter out, PrintWriter err, Verbosity verbosity, boolean summarize, boolean namedByPid,
      int processes, boolean progress) {
    this.out = out;
    this.err = err;
    this.verbosity = verbosity;
    this.summarize = summarize;
    this.namedByPid = namedByPid;
    this.processes = processes;
    this.progress = progress && processes > 1 && !verbosity.quiet();
  }

  Status status(OperationResult r) {
    if (r.reason() == Reason.GONE && !namedByPid) {
      return Status.GONE;
    }
    return Status.valueOf(r.outcome().name());
  }

  /** One process is done (called from the pool's threads): its lines now, when there are many processes. */
  synchronized void processDone(List<OperationResult> results) {
    done++;
    for (OperationResult r : results) {
      counts.merge(status(r), 1, Integer::sum);
    }
    if (processes == 1) {
      return;
    }
    clearProgress();
    results.forEach(this::printLine);
    out.flush();
    err.flush();
    drawProgress();
  }

  /** The summary (or, for one process, its one line); returns the exit code. */
  synchronized int finish(List<OperationResult> all) {
    clearProgress();
    if (processes == 1 && all.size() == 1) {
      printOne(all.get(0));
    } else if (processes == 1) {
      // One process, several patches: its lines, then the summary.
      all.forEach(this::printLine);
    }
    if (all.size() > 1 || processes > 1) {
      if (!verbosity.quiet() || counts.containsKey(Status.FAILED)) {
        out.println(summary());
      }
    }
    out.flush();
    err.flush();
    return counts.containsKey(Status.FAILED) ? ErrorReporter.FAILURE : 0;
  }

  /** One result's line: failures always (on stderr), skipped ones only with -v or --disable-summarization. */
  private void printLine(OperationResult r) {
    Status status = status(r);
    boolean failed = status == Status.FAILED;
    boolean shown = verbosity.verbose() || !summarize || status != Status.SKIPPED;
    if (failed || (!verbosity.quiet() && shown)) {
      (failed ? err : out).println(r.pid() + " (" + r.name() + "): " + status.name().toLowerCase() + ": "
          + r.operation() + ": " + r.message());
    }
  }

  private void printOne(OperationResult r) {
    Status status = status(r);
    if (status == Status.FAILED) {
      err.println("ulp trigger: live patching failed in process " + r.pid() + ": " + r.message());
    } else if (!verbosity.quiet()) {
      out.println(status == Status.SKIPPED ? "live patching skipped: " + r.message()
          : status == Status.GONE ? "live patching skipped: the process is gone: " + r.message()
          : "live patching succeeded" + (verbosity.verbose() ? ": " + r.message() + " in " + millis(r.elapsed())
              + "; application threads held at most " + micros(r.longestThreadStop()) : ""));
    }
  }

  private String summary() {
    return "summary: " + count(Status.APPLIED) + " applied, " + count(Status.REVERTED) + " reverted, "
        + count(Status.SKIPPED) + " skipped, " + count(Status.FAILED) + " failed, " + count(Status.GONE) + " gone";
  }

  private int count(Status s) {
    return counts.getOrDefault(s, 0);
  }

  /** The progress line, redrawn in place: "[done/total] N applied, ... ". */
  private void drawProgress() {
    if (!progress || done == processes || System.nanoTime() - start < PROGRESS_AFTER.toNanos()) {
      return;
    }
    err.print("\r\033[K[" + done + "/" + processes + " processes] " + count(Status.APPLIED) + " applied, "
        + count(Status.REVERTED) + " reverted, " + count(Status.SKIPPED) + " skipped, " + count(Status.FAILED)
        + " failed");
    err.flush();
    progressShown = true;
  }

  private void clearProgress() {
    if (progressShown) {
      err.print("\r\033[K");
      err.flush();
      progressShown = false;
    }
  }

  /** A result that is not about one process's own failure: a process with no runtime named by PID fails. */
  static OperationResult noRuntimeIsFailure(OperationResult r) {
    return r.hasRuntime() ? r : new OperationResult(r.pid(), r.name(), r.operation(), Outcome.FAILED,
        r.reason(), r.message(), r.elapsed(), r.longestThreadStop());
  }

  private static String micros(Duration d) {
    return String.format("%.0f µs", d.toNanos() / 1e3);
  }

  private static String millis(Duration d) {
    return String.format("%.2f ms", d.toNanos() / 1e6);
  }
}
