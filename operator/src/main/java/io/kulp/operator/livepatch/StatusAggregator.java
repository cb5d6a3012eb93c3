package io.kulp.operator.livepatch;

import static io.kulp.api.KulpConstants.CONDITION_COMPLETE;
import static io.kulp.api.KulpConstants.CONDITION_DEGRADED;
import static io.kulp.api.KulpConstants.CONDITION_PROGRESSING;
import static io.kulp.api.KulpConstants.CONDITION_READY;
import static io.kulp.api.KulpConstants.CONDITION_RECONCILING;
import static io.kulp.api.KulpConstants.CONDITION_STALLED;

import io.fabric8.kubernetes.api.model.Condition;
import io.kulp.api.KulpConstants;
import io.kulp.api.NodeReports;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchStatus;
import io.kulp.api.v1alpha1.NodeCounts;
import io.kulp.api.v1alpha1.ProcessCounts;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.api.v1alpha1.UnpatchedContainers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns a rollout plan and the agents' reports into the LivePatch status. Pure. */
public final class StatusAggregator {

  static final int MAX_NODES_LISTED = 20;
  /** Failed nodes, and separately nodes with a note, named in the message at most. */
  static final int MAX_NODES_NAMED = 3;

  /** The status for a valid LivePatch after the planning step {@code plan}. */
  public LivePatchStatus aggregate(LivePatch lp, RolloutPlan plan, Instant now) {
    return aggregate(lp, plan, null, now);
  }

  /**
   * The same, with the containers a complete OneShot rollout left unpatched
   * ({@link UnpatchedSinceComplete}; null when the question does not arise).
   */
  public LivePatchStatus aggregate(LivePatch lp, RolloutPlan plan, UnpatchedContainers unpatched,
      Instant now) {
    LivePatchStatus s = new LivePatchStatus();
    s.unpatchedSinceComplete = unpatched;
    s.observedGeneration = lp.getMetadata().getGeneration();
    s.rollout = plan.state();
    s.nodes = new NodeCounts();
    s.nodes.targeted = plan.targeted().size();
    s.nodes.done = (int) plan.count(NodeProgress.DONE);
    s.nodes.failed = (int) (plan.count(NodeProgress.FAILED) + plan.count(NodeProgress.TIMED_OUT));
    s.nodes.skipped = (int) plan.count(NodeProgress.SKIPPED);
    // Nodes started in this very step are in progress as soon as they are written.
    s.nodes.inProgress = (int) plan.count(NodeProgress.IN_PROGRESS) + plan.toWrite().size();
    s.nodesDone = s.nodes.done + "/" + s.nodes.targeted;
    plan.targeted().forEach(t -> {
      if ((t.progress() == NodeProgress.IN_PROGRESS || plan.toWrite().containsKey(t.name()))
          && s.nodesInProgress.size() < MAX_NODES_LISTED) {
        s.nodesInProgress.add(t.name());
      }
    });
    s.processes = processCounts(plan);

    List<String> failures = failures(plan, Specs.nodeTimeout(lp.getSpec().rollout));
    String skipped = skipped(plan);
    s.message = message(plan, s.nodes, failures, skipped, notes(plan));
    if (unpatched != null && unpatched.count > 0) {
      s.message += "; " + unpatched.count + " targeted container(s) started after their node was"
          + " done and run unpatched (mode OneShot; Continuous would patch them): "
          + String.join(", ", unpatched.containers.subList(0,
              Math.min(MAX_NODES_NAMED, unpatched.containers.size())))
          + (unpatched.count > MAX_NODES_NAMED ? ", ..." : "");
    }
    List<Condition> old = lp.getStatus() == null ? List.of() : lp.getStatus().conditions;
    Long gen = lp.getMetadata().getGeneration();
    String reason = reason(plan.phase());
    boolean complete = plan.phase() == RolloutPhase.COMPLETE;
    boolean rolledBack = plan.phase() == RolloutPhase.REVERTING
        || plan.phase() == RolloutPhase.ROLLED_BACK;
    boolean degraded = s.nodes.failed > 0 || rolledBack || s.nodes.skipped > 0;
    String degradedReason = rolledBack ? KulpConstants.REASON_ROLLED_BACK
        : s.nodes.failed > 0 ? KulpConstants.REASON_NODES_FAILED
        : degraded ? KulpConstants.REASON_NODES_SKIPPED : KulpConstants.REASON_NO_FAILURES;
    List<String> degradedBy = new ArrayList<>(failures);
    if (!skipped.isEmpty()) {
      degradedBy.add(skipped);
    }
    boolean progressing = plan.phase() == RolloutPhase.ROLLING
        || plan.phase() == RolloutPhase.REVERTING;
    boolean ready = complete && !degraded;
    String readyReason = complete && degraded ? degradedReason : reason;
    s.conditions.add(Conditions.condition(old, CONDITION_READY, ready, readyReason, s.message, gen,
        now));
    s.conditions.add(Conditions.condition(old, CONDITION_PROGRESSING, progressing,
        reason, s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_DEGRADED, degraded, degradedReason,
        degraded ? String.join("; ", degradedBy.isEmpty() ? List.of(s.message) : degradedBy) : "",
        gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_COMPLETE, complete, reason, s.message,
        gen, now));
    boolean reconciling = isReconciling(plan.phase());
    addKstatusConditions(s, old, reconciling, !reconciling && !ready, readyReason, gen, now);
    return s;
  }

  /**
   * Whether the rollout has not reached an end state: it moves by itself (rolling out, rolling
   * back, a canary pause with a duration) or once an admin resumes it (paused, an indefinite
   * canary pause). The end states are COMPLETE, FAILURE_PAUSE and ROLLED_BACK.
   */
  static boolean isReconciling(RolloutPhase phase) {
    return switch (phase) {
      case ROLLING, PAUSED, CANARY_PAUSE, REVERTING -> true;
      case FAILURE_PAUSE, ROLLED_BACK, COMPLETE -> false;
    };
  }

  /**
   * kstatus' two conditions, at most one of them True. {@code stalled}: an end state other than
   * complete and healthy; without it kstatus would read the Ready=False of such an end state as
   * InProgress for ever (its fallback on Ready), and a GitOps wait would run into its timeout.
   * Both carry Ready's reason, which says which state it is.
   */
  private static void addKstatusConditions(LivePatchStatus s, List<Condition> old,
      boolean reconciling, boolean stalled, String reason, Long gen, Instant now) {
    s.conditions.add(Conditions.condition(old, CONDITION_RECONCILING, reconciling, reason,
        s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_STALLED, stalled, reason, s.message, gen,
        now));
  }

  /**
   * The status of a LivePatch being deleted, after the deletion step {@code plan} over its
   * LivePatchNodes {@code existing}: it describes the revert (the nodes reverting, reverted and
   * not reverted, the processes reverted) for the LivePatch's current generation (the API server
   * bumps it when the deletion starts), so that it stays current until the object goes. The
   * rollout bookkeeping is kept as it was.
   */
  public LivePatchStatus deleting(LivePatch lp, DeletionPlanner.Plan plan,
      java.util.Map<String, LivePatchNode> existing, Instant now) {
    LivePatchStatus s = new LivePatchStatus();
    s.observedGeneration = lp.getMetadata().getGeneration();
    s.rollout = lp.getStatus() == null ? null : lp.getStatus().rollout;
    s.nodes = new NodeCounts();
    s.nodes.done = plan.reverted().size();
    s.nodes.inProgress = plan.waitingFor().size();
    s.nodes.failed = plan.notReverted().size();
    s.nodes.targeted = s.nodes.done + s.nodes.inProgress + s.nodes.failed;
    s.nodesDone = s.nodes.done + "/" + s.nodes.targeted;
    s.nodesInProgress.addAll(plan.waitingFor().subList(0,
        Math.min(MAX_NODES_LISTED, plan.waitingFor().size())));
    s.processes = new ProcessCounts();
    existing.values().forEach(lpn -> {
      if (NodeProgress.isWrittenFor(lpn, DeletionPlanner.DELETE_DIGEST)
          && NodeReports.isForCurrentGeneration(lpn) && lpn.getStatus().summary != null) {
        var sum = lpn.getStatus().summary;
        s.processes.patched += sum.reverted;
        s.processes.skipped += sum.skipped;
        s.processes.failed += sum.failed;
      }
    });
    String notReverted = String.join("; ", plan.notReverted().entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue()).toList());
    if (!plan.finished()) {
      s.message = "deleting: waiting for " + plan.waitingFor().size() + " node(s) to revert: "
          + NodeNotes.names(plan.waitingFor(), MAX_NODES_LISTED)
          + (notReverted.isEmpty() ? "" : "; not reverted: " + notReverted);
    } else {
      s.message = notReverted.isEmpty() ? "deleting: every node reported on the revert"
          : "deleted; not reverted on " + plan.notReverted().size() + " node(s): " + notReverted;
    }
    List<Condition> old = lp.getStatus() == null ? List.of() : lp.getStatus().conditions;
    Long gen = lp.getMetadata().getGeneration();
    String r = KulpConstants.REASON_DELETING;
    boolean degraded = !notReverted.isEmpty();
    s.conditions.add(Conditions.condition(old, CONDITION_READY, false, r, s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_PROGRESSING, !plan.finished(), r,
        s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_DEGRADED, degraded,
        degraded ? KulpConstants.REASON_NOT_REVERTED : KulpConstants.REASON_NO_FAILURES,
        degraded ? notReverted : "", gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_COMPLETE, false, r, s.message, gen, now));
    addKstatusConditions(s, old, !plan.finished(), false, r, gen, now);
    return s;
  }

  /** The status for a LivePatch whose spec breaks rules the server could not check. */
  public LivePatchStatus invalid(LivePatch lp, List<String> errors, Instant now) {
    LivePatchStatus s = new LivePatchStatus();
    s.observedGeneration = lp.getMetadata().getGeneration();
    s.rollout = lp.getStatus() == null ? null : lp.getStatus().rollout;
    s.message = "invalid spec: " + String.join("; ", errors);
    List<Condition> old = lp.getStatus() == null ? List.of() : lp.getStatus().conditions;
    Long gen = lp.getMetadata().getGeneration();
    String r = KulpConstants.REASON_INVALID_SPEC;
    s.conditions.add(Conditions.condition(old, CONDITION_READY, false, r, s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_PROGRESSING, false, r, s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_DEGRADED, true, r, s.message, gen, now));
    s.conditions.add(Conditions.condition(old, CONDITION_COMPLETE, false, r, s.message, gen, now));
    addKstatusConditions(s, old, false, true, r, gen, now);
    return s;
  }

  static String reason(RolloutPhase phase) {
    return switch (phase) {
      case ROLLING -> KulpConstants.REASON_ROLLING_OUT;
      case PAUSED -> KulpConstants.REASON_PAUSED;
      case CANARY_PAUSE -> KulpConstants.REASON_CANARY_PAUSE;
      case FAILURE_PAUSE -> KulpConstants.REASON_FAILURE_POLICY_PAUSE;
      case REVERTING, ROLLED_BACK -> KulpConstants.REASON_ROLLED_BACK;
      case COMPLETE -> KulpConstants.REASON_ALL_NODES_DONE;
    };
  }

  private static ProcessCounts processCounts(RolloutPlan plan) {
    ProcessCounts c = new ProcessCounts();
    for (TargetedNode t : plan.targeted()) {
      LivePatchNode lpn = t.livePatchNode();
      if (t.progress() == NodeProgress.NOT_STARTED || t.progress() == NodeProgress.SKIPPED
          || lpn.getStatus() == null || lpn.getStatus().summary == null) {
        continue; // no LivePatchNode, or a report on something else than the current desired state
      }
      var sum = lpn.getStatus().summary;
      c.patched += lpn.getSpec().action == Action.Apply ? sum.applied : sum.reverted;
      c.skipped += sum.skipped;
      c.failed += sum.failed;
    }
    return c;
  }

  /**
   * "node: ns/pod/container: reason" for the first failed processes (or nodes, or nodes that timed
   * out), in node order.
   */
  private static List<String> failures(RolloutPlan plan, java.time.Duration timeout) {
    List<String> out = new ArrayList<>();
    plan.targeted().forEach(t -> {
      if (!t.progress().isFailed() || out.size() >= MAX_NODES_NAMED) {
        return;
      }
      String node = t.name();
      if (t.progress() == NodeProgress.TIMED_OUT) {
        out.add(node + ": " + NodeNotes.timedOut(timeout));
        return;
      }
      var st = t.livePatchNode().getStatus();
      ProcessRecord r = st.records == null ? null : st.records.stream()
          .filter(x -> x.result == ProcessResult.Failed).findFirst().orElse(null);
      out.add(r != null
          ? node + ": " + r.namespace + "/" + r.pod + "/" + r.container + ": " + r.reason
          : node + ": " + (st.message == null ? "failed" : st.message));
    });
    return out;
  }

  /**
   * "node: note" for the first nodes not failed whose agent added a note to its report on the
   * current generation (a patch it is waiting for, containers it could not act on).
   */
  private static List<String> notes(RolloutPlan plan) {
    List<String> out = new ArrayList<>();
    plan.targeted().forEach(t -> {
      LivePatchNode lpn = t.livePatchNode();
      var st = lpn == null ? null : lpn.getStatus();
      if ((t.progress() == NodeProgress.DONE || t.progress() == NodeProgress.IN_PROGRESS) && st != null
          && st.message != null && !st.message.isEmpty() && NodeReports.isForCurrentGeneration(lpn)
          && out.size() < MAX_NODES_NAMED) {
        out.add(t.name() + ": " + st.message);
      }
    });
    return out;
  }

  /** "skipped: no kulp agent on node: a, b" for the skipped nodes, or "" when none is. */
  static String skipped(RolloutPlan plan) {
    List<String> names = plan.targeted().stream()
        .filter(t -> t.progress() == NodeProgress.SKIPPED).map(TargetedNode::name).toList();
    return names.isEmpty() ? ""
        : "skipped: " + NodeNotes.NO_AGENT + ": " + NodeNotes.names(names, MAX_NODES_LISTED);
  }

  private static String message(RolloutPlan plan, NodeCounts n, List<String> failures,
      String skipped, List<String> notes) {
    String counts = n.done + "/" + n.targeted + " nodes done, " + n.inProgress + " in progress, "
        + n.failed + " failed" + (n.skipped > 0 ? ", " + n.skipped + " skipped" : "");
    String what = switch (plan.phase()) {
      case ROLLING -> "rolling out";
      case PAUSED -> "paused (spec.rollout.paused)";
      case CANARY_PAUSE -> "canary done, pausing (spec.rollout.canary.pause)";
      case FAILURE_PAUSE -> "halted: more nodes failed than failurePolicy.maxFailedNodes (once the cause is"
          + " fixed, give spec.rollout.retry a new value to start them again)";
      case REVERTING -> "rolling back: too many nodes failed, every node worked on reverts";
      case ROLLED_BACK -> "rolled back: too many nodes failed";
      case COMPLETE -> "complete";
    };
    String msg = what + ": " + counts;
    msg = failures.isEmpty() ? msg : msg + "; first failures: " + String.join("; ", failures);
    msg = skipped.isEmpty() ? msg : msg + "; " + skipped;
    return notes.isEmpty() ? msg : msg + "; notes: " + String.join("; ", notes);
  }
}
