package io.kulp.engine;

import java.time.Duration;

/**
 * The result of one operation on one process.
 *
 * @param pid host PID
 * @param name the process's command name
 * @param operation what was applied or reverted ({@link Operation#describe()})
 * @param outcome how it ended
 * @param reason why the process was left as it was, when a caller may decide by it; null when the
 *     operation was made, or failed for a reason only the message tells
 * @param message what happened, naming the cause and the fix when it did not succeed
 * @param elapsed wall time of the operation on this process
 * @param longestThreadStop the longest time one of the application's threads was held stopped;
 *     zero when none was (the usual case: only kulp's own helper thread is ever stopped)
 */
public record OperationResult(int pid, String name, String operation, Outcome outcome, Reason reason, String message,
    Duration elapsed, Duration longestThreadStop) {

  /** False when the process has no kulp runtime this engine serves (it was skipped for that). */
  public boolean hasRuntime() {
    return reason != Reason.NO_RUNTIME && reason != Reason.OTHER_RUNTIME_VERSION;
  }
}
