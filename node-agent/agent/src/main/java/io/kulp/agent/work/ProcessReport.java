package io.kulp.agent.work;

import io.kulp.api.v1alpha1.ProcessResult;

/**
 * What the agent reports for one target process after its work: it becomes a
 * {@link io.kulp.api.v1alpha1.ProcessRecord} in the LivePatchNode's status.
 *
 * @param target the process
 * @param result Applied, Reverted, Skipped or Failed
 * @param reason why, for Skipped and Failed (the runtime's, the engine's or the agent's message)
 * @param recheck whether a rescan should look at the process again: it was skipped only because
 *     libpulp.so or the library was not mapped (yet: a process caught while it starts, or one that
 *     dlopens the library later); reading its maps again costs little
 */
public record ProcessReport(ProcessTarget target, ProcessResult result, String reason, boolean recheck) {

  public ProcessReport(ProcessTarget target, ProcessResult result, String reason) {
    this(target, result, reason, false);
  }
}
