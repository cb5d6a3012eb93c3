package io.kulp.engine;

import java.time.Duration;

/**
 * The result of one operation on one process.
 *
 * @param pid host PID
 * @param name the process's command name
 * @param patch what was applied or reverted: a patch id, or "all of LIB"
 * @param outcome how it ended
 * @param message what happened, naming the cause and the fix when it did not succeed
 * @param elapsed wall time of the operation on this process
 * @param hasRuntime false when the process has no kulp runtime loaded (it was skipped for that)
 * @param longestThreadStop the longest time one of the application's threads was held stopped;
 *     zero when none was (the usual case: only kulp's own helper thread is ever stopped)
 */
public record ProcessResult(int pid, String name, String patch, Outcome outcome, String message, Duration elapsed,
    boolean hasRuntime, Duration longestThreadStop) {}
