package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.kulp.api.StatusLimits;

/** What happened in one process. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessRecord {

  @JsonPropertyDescription("Namespace of the pod.")
  public String namespace;

  @JsonPropertyDescription("Name of the pod.")
  public String pod;

  @JsonPropertyDescription("Container name.")
  public String container;

  @JsonPropertyDescription("Runtime container ID, as in the LivePatchNode spec.")
  public String containerID;

  @JsonPropertyDescription("PID of the process in the host's PID namespace.")
  public Long hostPID;

  @JsonPropertyDescription("Start time of the process in clock ticks since boot (field 22 of "
      + "/proc/PID/stat), so that a reused PID is never taken for the same process.")
  public Long startTime;

  @JsonPropertyDescription("Applied, Reverted, Skipped or Failed.")
  public ProcessResult result;

  @JsonPropertyDescription("Why (for Skipped and Failed): the runtime's or the agent's message. "
      + "At most MAX_REASON_LENGTH (512) characters.")
  @Size(max = StatusLimits.MAX_REASON_LENGTH)
  public String reason;
}
