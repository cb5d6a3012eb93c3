package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans the revert that deleting a LivePatch triggers: every node whose LivePatchNode applies a
 * patch is told to revert it, all at once; the finalizer may go when each of them has reported on
 * the revert, or cannot: its node is gone, no kulp agent is alive there, or its revert did not
 * finish within nodeTimeout. Those, and the reverts reported Failed, are named in
 * {@link Plan#notReverted}, so that the deletion ends in bounded time and says what it left
 * behind. Pure.
 */
public final class DeletionPlanner {

  /** Rollout digest annotated on LivePatchNodes rewritten for the deletion revert. */
  static final String DELETE_DIGEST = "delete";

  /** Why a node was not reverted: its node object is gone. */
  static final String NODE_GONE = "node gone";

  /**
   * @param toWrite node name to the revert spec to write now
   * @param toDelete LivePatchNodes of nodes that are gone and had nothing to revert (those that
   *     had are kept, and named in {@code notReverted}, until the finalizer goes)
   * @param waitingFor nodes that have not reported on the revert yet
   * @param reverted nodes that reported the revert Succeeded
   * @param notReverted node name to why it has not reverted (and will not be waited for)
   */
  public record Plan(SortedMap<String, LivePatchNodeSpec> toWrite, List<LivePatchNode> toDelete,
      List<String> waitingFor, List<String> reverted, SortedMap<String, String> notReverted) {

    /** True when the finalizer may be removed. */
    public boolean finished() {
      return waitingFor.isEmpty();
    }
  }

  /**
   * @param existing node name to the LivePatchNode of the LivePatch being deleted
   * @param clusterNodes names of the nodes that exist
   * @param liveAgents names of the nodes whose kulp agent is alive
   * @param timeout the LivePatch's spec.rollout.nodeTimeout
   * @param now the current time
   */
  public Plan plan(Map<String, LivePatchNode> existing, Set<String> clusterNodes,
      Set<String> liveAgents, Duration timeout, Instant now) {
    SortedMap<String, LivePatchNodeSpec> toWrite = new TreeMap<>();
    List<LivePatchNode> toDelete = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    List<String> reverted = new ArrayList<>();
    SortedMap<String, String> notReverted = new TreeMap<>();
    new TreeMap<>(existing).forEach((node, lpn) -> {
      boolean applies = lpn.getSpec().action == Action.Apply;
      boolean revertingForDeletion = NodeProgress.isWrittenFor(lpn, DELETE_DIGEST);
      LivePatchNodeSpec wanted = Specs.withAction(lpn.getSpec(), Action.Revert);
      if (!clusterNodes.contains(node)) {
        if (applies || revertingForDeletion
            && !NodeProgress.of(lpn, DELETE_DIGEST, wanted).isFinished()) {
          // Kept until the finalizer goes, so that every pass (and the last Event) names it.
          notReverted.put(node, NODE_GONE);
        } else {
          toDelete.add(lpn);
        }
        return;
      }
      if (!applies && !revertingForDeletion) {
        return; // nothing of this LivePatch to undo on that node
      }
      NodeProgress p = NodeProgress.of(lpn, DELETE_DIGEST, wanted, liveAgents.contains(node),
          timeout, now);
      switch (p) {
        case DONE -> reverted.add(node);
        case FAILED -> notReverted.put(node, "revert failed: " + failure(lpn));
        case SKIPPED -> notReverted.put(node, NodeNotes.NO_AGENT);
        case TIMED_OUT -> notReverted.put(node, NodeNotes.timedOut(timeout));
        case IN_PROGRESS -> {
          if (liveAgents.contains(node)) {
            waiting.add(node);
          } else {
            notReverted.put(node, NodeNotes.NO_AGENT); // its agent died while reverting
          }
        }
        case NOT_STARTED -> {
          toWrite.put(node, wanted);
          waiting.add(node);
        }
      }
    });
    return new Plan(toWrite, toDelete, waiting, reverted, notReverted);
  }

  private static String failure(LivePatchNode lpn) {
    var st = lpn.getStatus();
    ProcessRecord r = st.records == null ? null : st.records.stream()
        .filter(x -> x.result == ProcessResult.Failed).findFirst().orElse(null);
    if (r != null) {
      return r.namespace + "/" + r.pod + "/" + r.container + ": " + r.reason;
    }
    return st.message == null || st.message.isEmpty() ? "failed" : st.message;
  }
}
