package io.kulp.agent.work;

import io.kulp.agent.host.StagingException;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.Engine;
import io.kulp.engine.EngineException;
import io.kulp.engine.Operation;
import io.kulp.engine.OperationResult;
import io.kulp.engine.Outcome;
import io.kulp.engine.ProcessState;
import io.kulp.engine.Reason;
import io.kulp.host.LibraryLookup;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Brings one process to the desired state: reads it once through the engine (its runtime, its
 * libraries, what its runtime has applied), decides the one operation left (if any), and makes it
 * from that read, retrying a failure once. Every decision starts from the process's own state, so
 * running it again (after an agent restart, or on a rescan) never applies anything twice.
 */
final class ProcessWork {
  /** Attempts per process; the engine retries "not now" answers of the runtime itself. */
  static final int ATTEMPTS = 2;

  private final Engine engine;
  private final AgentMetrics metrics;
  private final TargetProcesses processes;

  ProcessWork(Engine engine, AgentMetrics metrics, TargetProcesses processes) {
    this.engine = engine;
    this.metrics = metrics;
    this.processes = processes;
  }

  /** The report for {@code target}; null when the process is gone (it is then not reported). */
  ProcessReport bring(ProcessTarget target, DesiredState desired, StagedPatches staging) {
    int pid = target.pid();
    for (int attempt = 1;; attempt++) {
      ProcessState state;
      try {
        state = engine.read(pid);
      } catch (EngineException e) {
        return unreadable(target, e, desired);
      }
      if (desired.library() != null) {
        try {
          if (state.find(desired.library()) instanceof LibraryLookup.NotLoaded) {
            return new ProcessReport(target, ProcessResult.Skipped, desired.library() + " is not loaded in process "
                + pid, true);
          }
        } catch (IOException e) {
          return new ProcessReport(target, ProcessResult.Failed, "cannot read " + desired.library() + " of process "
              + pid + ": " + e.getMessage());
        }
      }
      Optional<Operation> op;
      try {
        op = desired.next(state.patches(), () -> staging.pathFor(target));
      } catch (StagingException e) {
        return new ProcessReport(target, ProcessResult.Failed, e.getMessage());
      }
      if (op.isEmpty()) {
        return new ProcessReport(target, desired.reachedResult(), null);
      }
      OperationResult result = engine.run(state, List.of(op.get())).get(0);
      metrics.injection(result.elapsed());
      metrics.operation(op.get().kind(), result.outcome().name().toLowerCase(Locale.ROOT));
      if (result.outcome() == Outcome.APPLIED || result.outcome() == Outcome.REVERTED) {
        return new ProcessReport(target, desired.reachedResult(), null);
      }
      if (result.reason() == Reason.GONE || !processes.isRunning(target)) {
        return null;
      }
      if (result.outcome() == Outcome.SKIPPED) {
        // "already applied" or "not applied" races, build-id mismatch...: the runtime decides.
        try {
          if (desired.reached(engine.read(pid).patches())) {
            return new ProcessReport(target, desired.reachedResult(), null);
          }
        } catch (EngineException e) {
          // reported with the engine's first message below
        }
        // A revert that did not happen leaves the patch in the process: never a skip.
        return new ProcessReport(target, reverting(desired) ? ProcessResult.Failed : ProcessResult.Skipped,
            result.message());
      }
      if (attempt >= ATTEMPTS) {
        return new ProcessReport(target, ProcessResult.Failed, result.message());
      }
    }
  }

  /** Revert and RevertAll: a process left as it was may still run the patch. */
  private static boolean reverting(DesiredState desired) {
    return desired.action() != Action.Apply;
  }

  /** The report for a process the engine could not read; null when it is gone. */
  private ProcessReport unreadable(ProcessTarget target, EngineException e, DesiredState desired) {
    if (e.reason() == Reason.GONE) {
      return null;
    }
    if (e.reason() == Reason.NO_RUNTIME) {
      return new ProcessReport(target, ProcessResult.Skipped, "libpulp.so is not loaded in process " + target.pid()
          + (target.injected()
              ? ", though kulp injected its container: it was started without the container's LD_PRELOAD (an"
                  + " entrypoint or a parent that clears or replaces the environment)"
              : ": start it with LD_PRELOAD=.../libpulp.so"), true);
    }
    if (!processes.isRunning(target)) {
      return null;
    }
    // A runtime of another kulp release cannot be read: whether it runs the patch is unknown, so a
    // revert there fails rather than pass for done.
    boolean skipped = e.outcome() == Outcome.SKIPPED && !(reverting(desired) && e.reason() == Reason.OTHER_RUNTIME_VERSION);
    return new ProcessReport(target, skipped ? ProcessResult.Skipped : ProcessResult.Failed, e.getMessage());
  }
}
