package io.kulp.agent.work;

import io.kulp.agent.host.MappedLibraries;
import io.kulp.agent.host.StagingException;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Engine;
import io.kulp.engine.EngineException;
import io.kulp.engine.Operation;
import io.kulp.engine.Outcome;
import io.kulp.host.HostPaths;
import io.kulp.patch.PatchId;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;

/**
 * Brings one process to the desired state: checks from outside that it has the runtime and the
 * library, reads what its runtime has applied, and makes the one operation left (if any) through
 * the engine, retrying a failure once. Every decision starts from the process's own state, so
 * running it again (after an agent restart, or on a rescan) never applies anything twice.
 */
final class ProcessWork {
  /** Attempts per process; the engine retries "not now" answers of the runtime itself. */
  static final int ATTEMPTS = 2;

  private final HostPaths host;
  private final Engine engine;
  private final AgentMetrics metrics;
  private final TargetProcesses processes;

  ProcessWork(HostPaths host, Engine engine, AgentMetrics metrics, TargetProcesses processes) {
    this.host = host;
    this.engine = engine;
    this.metrics = metrics;
    this.processes = processes;
  }

  /** The outcome in {@code target}; null when the process is gone (it is then not reported). */
  ProcessOutcome bring(ProcessTarget target, DesiredState desired, StagedPatches staging) {
    int pid = target.pid();
    try {
      MappedLibraries maps = MappedLibraries.of(host, pid);
      if (!maps.hasRuntime()) {
        return new ProcessOutcome(target, ProcessResult.Skipped, "libpulp.so is not loaded in process " + pid
            + ": start it with LD_PRELOAD=.../libpulp.so", true);
      }
      if (desired.library() != null && !maps.has(desired.library())) {
        return new ProcessOutcome(target, ProcessResult.Skipped, desired.library() + " is not loaded in process "
            + pid, true);
      }
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      return new ProcessOutcome(target, ProcessResult.Failed, "cannot read the maps of process " + pid + ": "
          + e.getMessage());
    }
    for (int attempt = 1;; attempt++) {
      List<AppliedPatch> applied;
      try {
        applied = engine.patches(pid);
      } catch (EngineException e) {
        return processes.isRunning(target) ? fromEngine(target, e.outcome(), e.getMessage()) : null;
      }
      DesiredState.Step step = desired.next(applied);
      if (step == null) {
        return new ProcessOutcome(target, desired.reachedResult(), null);
      }
      Operation op;
      try {
        op = operation(step, desired, target, staging);
      } catch (StagingException e) {
        return new ProcessOutcome(target, ProcessResult.Failed, e.getMessage());
      }
      io.kulp.engine.ProcessResult result = engine.run(pid, List.of(op)).get(0);
      metrics.injection(result.elapsed());
      metrics.operation(step.kind().name().toLowerCase(Locale.ROOT), result.outcome().name().toLowerCase(Locale.ROOT));
      if (result.outcome() == Outcome.APPLIED || result.outcome() == Outcome.REVERTED) {
        return new ProcessOutcome(target, desired.reachedResult(), null);
      }
      if (!processes.isRunning(target)) {
        return null;
      }
      if (result.outcome() == Outcome.SKIPPED) {
        // "already applied" or "not applied" races, build-id mismatch...: the runtime decides.
        try {
          if (desired.reached(engine.patches(pid))) {
            return new ProcessOutcome(target, desired.reachedResult(), null);
          }
        } catch (EngineException e) {
          // reported with the engine's first message below
        }
        return skipped(target, result.message());
      }
      if (attempt >= ATTEMPTS) {
        return new ProcessOutcome(target, ProcessResult.Failed, result.message());
      }
    }
  }

  private static Operation operation(DesiredState.Step step, DesiredState desired, ProcessTarget target,
      StagedPatches staging) throws StagingException {
    switch (step.kind()) {
      case APPLY:
        return new Operation.Apply(desired.patch().container(), staging.pathFor(target));
      case REVERT:
        return new Operation.Revert(PatchId.ofHex(step.patchId()),
            desired.patch() != null ? desired.patch().stagedName() : "patch");
      default:
        return new Operation.RevertAll(desired.library());
    }
  }

  private static ProcessOutcome skipped(ProcessTarget target, String reason) {
    return new ProcessOutcome(target, ProcessResult.Skipped, reason);
  }

  private static ProcessOutcome fromEngine(ProcessTarget target, Outcome outcome, String message) {
    return new ProcessOutcome(target, outcome == Outcome.SKIPPED ? ProcessResult.Skipped : ProcessResult.Failed,
        message);
  }
}
