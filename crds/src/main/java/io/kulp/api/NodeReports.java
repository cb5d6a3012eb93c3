package io.kulp.api;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.NodePhase;
import java.util.Objects;

/**
 * How to read a node agent's report, the status of a LivePatchNode. The agent writes
 * {@code status.observedGeneration} with each report; a report counts only for the generation it
 * names. The operator reads "this node is done" with these rules, and an agent that restarts
 * reads its own earlier reports with them, so that a generation done once is not done again.
 */
public final class NodeReports {

  private NodeReports() {}

  /** True when {@code lpn} carries a report on its current metadata.generation (of any phase). */
  public static boolean isForCurrentGeneration(LivePatchNode lpn) {
    LivePatchNodeStatus status = lpn.getStatus();
    return status != null
        && Objects.equals(status.observedGeneration, lpn.getMetadata().getGeneration());
  }

  /**
   * True when the agent has given its final word on the current generation of {@code lpn}: its
   * report is for that generation and says Succeeded or Failed (InProgress is not final).
   */
  public static boolean isFinal(LivePatchNode lpn) {
    if (!isForCurrentGeneration(lpn)) {
      return false;
    }
    NodePhase phase = lpn.getStatus().phase;
    return phase == NodePhase.Succeeded || phase == NodePhase.Failed;
  }
}
