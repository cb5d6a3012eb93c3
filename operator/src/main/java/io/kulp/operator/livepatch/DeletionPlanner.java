package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans the revert that deleting a LivePatch triggers: every node whose LivePatchNode applies a
 * patch is told to revert it, all at once; the finalizer may go when each of them has reported on
 * the revert, or its node is gone. Pure.
 */
public final class DeletionPlanner {

  /** Rollout digest annotated on LivePatchNodes rewritten for the deletion revert. */
  static final String DELETE_DIGEST = "delete";

  /**
   * @param toWrite node name to the revert spec to write now
   * @param toDelete LivePatchNodes of nodes that are gone
   * @param waitingFor nodes that have not reported on the revert yet
   */
  public record Plan(SortedMap<String, LivePatchNodeSpec> toWrite, List<LivePatchNode> toDelete,
      List<String> waitingFor) {

    /** True when the finalizer may be removed. */
    public boolean finished() {
      return waitingFor.isEmpty();
    }
  }

  public Plan plan(Map<String, LivePatchNode> existing, Set<String> clusterNodes) {
    SortedMap<String, LivePatchNodeSpec> toWrite = new TreeMap<>();
    List<LivePatchNode> toDelete = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    new TreeMap<>(existing).forEach((node, lpn) -> {
      if (!clusterNodes.contains(node)) {
        toDelete.add(lpn);
        return;
      }
      boolean applies = lpn.getSpec().action == Action.Apply;
      boolean revertingForDeletion = NodeProgress.isWrittenFor(lpn, DELETE_DIGEST);
      if (!applies && !revertingForDeletion) {
        return; // nothing of this LivePatch to undo on that node
      }
      LivePatchNodeSpec wanted = Specs.withAction(lpn.getSpec(), Action.Revert);
      NodeProgress p = NodeProgress.of(lpn, DELETE_DIGEST, wanted);
      if (p == NodeProgress.NOT_STARTED) {
        toWrite.put(node, wanted);
      }
      if (!p.isFinished()) {
        waiting.add(node);
      }
    });
    return new Plan(toWrite, toDelete, waiting);
  }
}
