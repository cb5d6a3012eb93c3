package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Observed state of one node for one LivePatch. Written only by that node's agent.
 *
 * <p>Sized for 1000 and more processes per node: every process is counted in {@link #summary},
 * but only processes that did not reach the desired state (Skipped, Failed) get a {@link
 * ProcessRecord}, and at most 200 of them; the rest are counted in {@link #recordsOmitted}. See
 * docs/api.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LivePatchNodeStatus {

  /**
   * The metadata.generation of the LivePatchNode whose spec this report describes. The operator
   * ignores a report whose observedGeneration differs from the current generation.
   */
  public Long observedGeneration;

  /**
   * InProgress while the agent works on the spec (or on processes that started later, in
   * Continuous mode); Succeeded when every target process is in the desired state or Skipped;
   * Failed when at least one target process Failed after the agent's retries.
   */
  public NodePhase phase;

  /** Counts over every process of the target containers found on this node. */
  public ProcessSummary summary;

  /**
   * One record per process that is not in the desired state (result Skipped or Failed), failures
   * first, at most 200. Processes in the desired state are only counted.
   */
  @Size(max = 200)
  public List<ProcessRecord> records = new ArrayList<>();

  /** How many Skipped/Failed records did not fit into {@link #records}. Default 0. */
  public Integer recordsOmitted;

  /** Human-readable note from the agent, for example why the whole node failed. */
  public String message;

  /** When the agent last wrote this status (RFC 3339). */
  public String lastReportTime;
}
