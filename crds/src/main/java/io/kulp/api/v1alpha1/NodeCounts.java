package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Node counts of a LivePatch rollout. A node is counted once, in the first matching bucket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeCounts {

  @JsonPropertyDescription("Nodes that run at least one targeted container (after nodeSelector).")
  public int targeted;

  @JsonPropertyDescription("Targeted nodes whose agent reported Succeeded for the current "
      + "LivePatchNode spec.")
  public int done;

  @JsonPropertyDescription("Targeted nodes whose agent reported Failed for the current "
      + "LivePatchNode spec, or gave no final report within spec.rollout.nodeTimeout of being "
      + "started.")
  public int failed;

  @JsonPropertyDescription("Targeted nodes whose LivePatchNode holds the current spec but has no "
      + "final report yet.")
  public int inProgress;

  @JsonPropertyDescription("Targeted nodes not started because no kulp agent is alive there (no "
      + "live Lease: the agent is not scheduled there, crashes, or the node is NotReady). They are "
      + "started once their agent is back; they do not count against the failure policy, and do "
      + "not hold up completion.")
  public int skipped;
}
