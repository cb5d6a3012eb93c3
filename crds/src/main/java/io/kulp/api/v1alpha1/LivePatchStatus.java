package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a {@link LivePatch}. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LivePatchStatus {

  @JsonPropertyDescription("The metadata.generation of the LivePatch this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Ready, Progressing, Degraded, Complete, and kstatus' Reconciling "
      + "(True until the rollout reaches an end state) and Stalled (True in an end state other "
      + "than complete and healthy: it will not move without a change); each carries "
      + "observedGeneration. See io.kulp.api.KulpConstants and docs/api.md for their meaning.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("\"done/targeted\" nodes, for the printer column, for example \"3/5\".")
  public String nodesDone;

  @JsonPropertyDescription("Node counts of the current rollout.")
  public NodeCounts nodes;

  @JsonPropertyDescription("Process counts summed over the LivePatchNodes of the current rollout.")
  public ProcessCounts processes;

  @JsonPropertyDescription("Mode OneShot, action Apply, once the rollout completed: the "
      + "targeted containers that started after their node was done (restarted containers, new "
      + "pods) and run unpatched while the LivePatch stays Complete; also named in message. "
      + "Absent in mode Continuous (which patches them), for other actions, and before completion. "
      + "To patch them, set spec.mode to Continuous: a new rollout, in which processes already "
      + "patched are left as they are and the others are patched, now and when they start later.")
  public UnpatchedContainers unpatchedSinceComplete;

  @JsonPropertyDescription("Names of the nodes in progress (at most 20, sorted).")
  public List<String> nodesInProgress = new ArrayList<>();

  @JsonPropertyDescription("Human-readable summary; names the first failures (node, pod, "
      + "container, reason).")
  public String message;

  @JsonPropertyDescription("Operator bookkeeping that must survive a restart of the operator.")
  public RolloutState rollout;
}
