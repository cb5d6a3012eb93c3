package io.kulp.agent.work;

import io.kulp.api.v1alpha1.ProcessResult;

/**
 * Where one target process stands after the agent's work.
 *
 * @param target the process
 * @param result Applied, Reverted, Skipped or Failed
 * @param reason why, for Skipped and Failed (the runtime's, the engine's or the agent's message)
 */
public record ProcessOutcome(ProcessTarget target, ProcessResult result, String reason) {}
