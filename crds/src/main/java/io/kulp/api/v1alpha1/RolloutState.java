package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * The operator's memory of the current rollout, kept in the status so that a restarted operator
 * resumes where it was. Everything else is derived from the LivePatchNodes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutState {

  @JsonPropertyDescription("Digest of what is rolled out (action, library, patch source and "
      + "sha256, mode). A different value means a new rollout: canary and failure policy start "
      + "over.")
  public String digest;

  @JsonPropertyDescription("When the canary nodes were all done (RFC 3339); absent while the "
      + "canary runs.")
  public String canaryCompletedAt;

  @JsonPropertyDescription("When every targeted node first reported for this digest (RFC 3339). A "
      + "OneShot LivePatch starts no further node after that.")
  public String completedAt;

  @JsonPropertyDescription("The resourceVersion of the consistent read (namespaces, then nodes, "
      + "then pods, straight from the API server) that confirmed, before this rollout was first "
      + "declared complete, that every node running matching pods was in it. Absent until then. "
      + "Pods created at or before this resourceVersion were seen; see docs/api.md, \"No "
      + "conclusion from a lagging cache\".")
  public String targetsConfirmedResourceVersion;

  @JsonPropertyDescription("True once the failure policy RevertCompleted fired for this digest: "
      + "every node of the rollout is made to revert and nothing new is started.")
  public Boolean rolledBack;

  @JsonPropertyDescription("The targeted nodes skipped because no kulp agent was alive there, "
      + "sorted. Kept so that a OneShot rollout that completed without them still reports them, "
      + "and starts them when their agent comes back.")
  public List<String> skippedNodes;
}
