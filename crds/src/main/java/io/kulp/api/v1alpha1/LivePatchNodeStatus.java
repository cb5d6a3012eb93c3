package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.kulp.api.StatusLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of one node for one LivePatch. Written only by that node's agent.
 *
 * <p>Sized for 1000 and more processes per node: every process is counted in {@link #summary},
 * and at most {@link StatusLimits#MAX_RECORDS} (200) get a {@link ProcessRecord}, those not in
 * the desired state (Skipped, Failed) first; Skipped and Failed processes that did not fit are
 * counted in {@link #recordsOmitted}. See docs/api.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LivePatchNodeStatus {

  @JsonPropertyDescription("The metadata.generation of the LivePatchNode whose spec this report "
      + "describes. The operator ignores a report whose observedGeneration differs from the "
      + "current generation.")
  public Long observedGeneration;

  @JsonPropertyDescription("InProgress while the agent works on the spec (or on processes that "
      + "started later, in Continuous mode); Succeeded when every target process is in the desired "
      + "state or Skipped; Failed when at least one target process Failed after the agent's "
      + "retries.")
  public NodePhase phase;

  @JsonPropertyDescription("Counts over every process of the target containers found on this "
      + "node.")
  public ProcessSummary summary;

  @JsonPropertyDescription("Per-process records, at most MAX_RECORDS (200): first every process "
      + "not in the desired state (Failed, then Skipped), then, while room is left, processes in "
      + "the desired state (Applied, Reverted).")
  @Size(max = StatusLimits.MAX_RECORDS)
  public List<ProcessRecord> records = new ArrayList<>();

  @JsonPropertyDescription("How many Skipped/Failed records did not fit into records. Default 0.")
  public Integer recordsOmitted;

  @JsonPropertyDescription("Human-readable note from the agent, for example why the whole node "
      + "failed.")
  public String message;

  @JsonPropertyDescription("When the agent last wrote this status (RFC 3339).")
  public String lastReportTime;
}
