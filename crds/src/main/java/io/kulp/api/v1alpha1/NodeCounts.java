package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Node counts of a LivePatch rollout. A node is counted once, in the first matching bucket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeCounts {

  /** Nodes that run at least one targeted container (after nodeSelector). */
  public int targeted;

  /** Targeted nodes whose agent reported Succeeded for the current LivePatchNode spec. */
  public int done;

  /** Targeted nodes whose agent reported Failed for the current LivePatchNode spec. */
  public int failed;

  /** Targeted nodes whose LivePatchNode holds the current spec but has no final report yet. */
  public int inProgress;
}
