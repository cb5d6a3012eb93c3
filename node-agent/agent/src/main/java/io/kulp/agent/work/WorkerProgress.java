package io.kulp.agent.work;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether the agent's worker makes progress, for /healthz. The worker reports when a task (a pass
 * over a LivePatchNode, a rescan) starts and ends, and the pass each time one of its processes is
 * settled. The worker is stalled when a task has run for longer than {@link #STALL} without any
 * progress: every step of a pass has its own, shorter, limit (a process
 * {@link NodeReconciler#PROCESS_DEADLINE}, a download 60 s, a status write is queued), so a task that makes no
 * progress for that long is stuck where no limit reaches, and only a restart (which the kubelet
 * makes when /healthz fails) frees it. An idle worker is never stalled. Thread-safe.
 */
public final class WorkerProgress {
  /** The longest a task may go without progress before the worker counts as stalled. */
  public static final Duration STALL = Duration.ofMinutes(3);

  private final Clock clock;
  private final Duration stall;
  private Instant busySince;
  private Instant lastProgress;

  public WorkerProgress(Clock clock) {
    this(clock, STALL);
  }

  WorkerProgress(Clock clock, Duration stall) {
    this.clock = clock;
    this.stall = stall;
  }

  /** A task starts on the worker. */
  synchronized void started() {
    busySince = clock.instant();
    lastProgress = busySince;
  }

  /** The running task settled one of its items. */
  public synchronized void progressed() {
    lastProgress = clock.instant();
  }

  /** The task ended. */
  synchronized void finished() {
    busySince = null;
    lastProgress = clock.instant();
  }

  /** Whether a task has run for longer than the stall limit without progress. */
  public synchronized boolean stalled() {
    return busySince != null && Duration.between(lastProgress, clock.instant()).compareTo(stall) > 0;
  }
}
