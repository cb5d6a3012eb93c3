package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.CanarySpec;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.RolloutState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides the next step of a rollout from the targeted nodes, the existing LivePatchNodes and the
 * rollout rules: which nodes to start (concurrency, canary and its pause, paused, failure policy),
 * which LivePatchNodes to delete, and where the rollout stands. Pure: no cluster access. Nodes are
 * started in name order, so that equal inputs give equal plans (a restarted operator, or one
 * reading a stale cache, makes the same choice again).
 *
 * <p>A node is started only when its agent is alive (a live Lease); one without is
 * {@link NodeProgress#SKIPPED}: it is reported, holds no slot and does not hold up completion, and
 * is started once its agent is back (even after a OneShot rollout completed: it is remembered in
 * {@code status.rollout.skippedNodes}). A started node without a final report
 * {@code spec.rollout.nodeTimeout} after it was started is {@link NodeProgress#TIMED_OUT}: failed.
 */
public final class RolloutPlanner {

  /**
   * What a planning step looks at.
   *
   * @param livePatch name of the LivePatch
   * @param digest rollout digest of its spec (see {@link Specs#rolloutDigest})
   * @param mode its mode
   * @param rollout its rollout rules, may be null
   * @param resolved node name to the LivePatchNode spec the LivePatch's targets resolve to now
   *     (the nodes running matching pods)
   * @param existing node name to the existing LivePatchNode of this LivePatch
   * @param clusterNodes names of the nodes that exist
   * @param liveAgents names of the nodes whose kulp agent is alive now
   * @param stored the rollout state stored in the status, may be null
   * @param now the current time
   */
  public record Input(String livePatch, String digest, Mode mode, RolloutSpec rollout,
      SortedMap<String, LivePatchNodeSpec> resolved, Map<String, LivePatchNode> existing,
      Set<String> clusterNodes, Set<String> liveAgents, RolloutState stored, Instant now) {

    Input withStored(RolloutState state) {
      return new Input(livePatch, digest, mode, rollout, resolved, existing, clusterNodes,
          liveAgents, state, now);
    }
  }

  static final String REVERT_SUFFIX = "-revert";

  public RolloutPlan plan(Input in) {
    RolloutState state = in.stored() != null && in.digest().equals(in.stored().digest)
        ? Specs.copy(in.stored()) : freshState(in.digest());
    boolean rolledBack = Boolean.TRUE.equals(state.rolledBack);
    String nodeDigest = rolledBack ? in.digest() + REVERT_SUFFIX : in.digest();

    Map<String, LivePatchNode> kept = new TreeMap<>(); // the existing ones whose node exists
    List<LivePatchNode> toDelete = new ArrayList<>();
    in.existing().forEach((node, lpn) -> {
      if (in.clusterNodes().contains(node)) {
        kept.put(node, lpn);
      } else {
        toDelete.add(lpn); // garbage collection: the node is gone
      }
    });
    SortedMap<String, LivePatchNodeSpec> wanted = wanted(in, state, kept, rolledBack);
    kept.forEach((node, lpn) -> {
      if (!wanted.containsKey(node)) {
        toDelete.add(lpn); // no longer targeted (pods gone, selector changed)
      }
    });
    List<TargetedNode> targeted = new ArrayList<>();
    Duration timeout = Specs.nodeTimeout(in.rollout());
    wanted.forEach((node, spec) -> {
      LivePatchNode lpn = kept.get(node);
      targeted.add(new TargetedNode(node, spec, lpn, NodeProgress.of(lpn, nodeDigest, spec,
          in.liveAgents().contains(node), timeout, in.now())));
    });
    List<String> skipped = targeted.stream().filter(t -> t.progress() == NodeProgress.SKIPPED)
        .map(TargetedNode::name).toList();
    state.skippedNodes = skipped.isEmpty() ? null : skipped;

    Step step = decide(in, state, targeted, rolledBack);
    if (step.phase == RolloutPhase.REVERTING && !rolledBack) {
      state.rolledBack = true; // the failure policy just fired: plan the rollback instead
      return plan(in.withStored(state));
    }
    SortedMap<String, LivePatchNodeSpec> toWrite = new TreeMap<>();
    step.start.forEach(t -> toWrite.put(t.name(), t.wanted()));
    return new RolloutPlan(step.phase, nodeDigest, targeted, toWrite, toDelete, state,
        earliest(step.requeueAfter, nextTimeout(targeted, step.start, timeout, in.now())),
        TargetConfirmation.needed(step.phase, in.stored(), in.digest()));
  }

  /**
   * Time until the first node in progress, or started by this step, times out, if any is. Nothing
   * else need wake the reconciler then: the events of its own writes do not.
   */
  private static Optional<Duration> nextTimeout(List<TargetedNode> targeted,
      List<TargetedNode> started, Duration timeout, Instant now) {
    Optional<Instant> inProgress = targeted.stream()
        .filter(t -> t.progress() == NodeProgress.IN_PROGRESS)
        .flatMap(t -> NodeProgress.deadline(t.livePatchNode(), timeout).stream())
        .min(Instant::compareTo);
    Optional<Instant> first = started.isEmpty() ? inProgress
        : Optional.of(inProgress.filter(d -> d.isBefore(now.plus(timeout))).orElse(now.plus(timeout)));
    return first.map(d -> Duration.between(now, d).plusSeconds(1)); // just after: isAfter, not equal
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() || a.get().compareTo(b.get()) <= 0 ? a : b;
  }

  /**
   * The spec each targeted node must hold, by node name, given the LivePatchNodes {@code kept};
   * OneShot keeps the targets a node was started with.
   */
  private SortedMap<String, LivePatchNodeSpec> wanted(Input in, RolloutState state,
      Map<String, LivePatchNode> kept, boolean rolledBack) {
    SortedMap<String, LivePatchNodeSpec> wanted = new TreeMap<>();
    if (rolledBack) {
      // Revert every node this rollout touched, with the targets it was given.
      kept.forEach((node, lpn) -> {
        if (NodeProgress.isWrittenFor(lpn, in.digest())
            || NodeProgress.isWrittenFor(lpn, in.digest() + REVERT_SUFFIX)) {
          wanted.put(node, Specs.withAction(lpn.getSpec(), Action.Revert));
        }
      });
      return wanted;
    }
    boolean frozen = in.mode() == Mode.OneShot && state.completedAt != null;
    // A OneShot rollout that completed still owes the nodes it skipped for want of an agent.
    Set<String> owed = state.skippedNodes == null ? Set.of() : Set.copyOf(state.skippedNodes);
    in.resolved().forEach((node, spec) -> {
      if (in.clusterNodes().contains(node) && (!frozen || owed.contains(node))) {
        wanted.put(node, spec);
      }
    });
    if (in.mode() == Mode.OneShot) {
      kept.forEach((node, lpn) -> {
        if (NodeProgress.isWrittenFor(lpn, in.digest())) {
          wanted.put(node, lpn.getSpec());
        }
      });
    }
    wanted.replaceAll((node, spec) -> withRetry(in, kept.get(node), spec));
    return wanted;
  }

  /**
   * A node keeps the retry value it was last started with, so that it is not started again for
   * nothing; a node that failed is started again when spec.rollout.retry holds a value it has not
   * been started with.
   */
  private static LivePatchNodeSpec withRetry(Input in, LivePatchNode lpn, LivePatchNodeSpec spec) {
    if (lpn == null || !NodeProgress.isWrittenFor(lpn, in.digest())) {
      return spec;
    }
    String carried = lpn.getSpec().retry;
    LivePatchNodeSpec asStarted = Objects.equals(carried, spec.retry) ? spec
        : Specs.withRetry(spec, carried);
    String retry = in.rollout() == null ? null : in.rollout().retry;
    if (retry != null && !retry.equals(asStarted.retry)
        && NodeProgress.of(lpn, in.digest(), asStarted, true, Specs.nodeTimeout(in.rollout()),
            in.now()).isFailed()) {
      return Specs.withRetry(spec, retry);
    }
    return asStarted;
  }

  private record Step(RolloutPhase phase, List<TargetedNode> start, Optional<Duration> requeueAfter) {}

  private Step decide(Input in, RolloutState state, List<TargetedNode> targeted,
      boolean rolledBack) {
    List<TargetedNode> notStarted = targeted.stream()
        .filter(t -> t.progress() == NodeProgress.NOT_STARTED).toList();
    long inProgress = targeted.stream().filter(t -> t.progress() == NodeProgress.IN_PROGRESS).count();
    long failed = targeted.stream().filter(t -> t.progress().isFailed()).count();
    long skipped = targeted.stream().filter(t -> t.progress() == NodeProgress.SKIPPED).count();
    RolloutSpec rollout = in.rollout() == null ? new RolloutSpec() : in.rollout();

    if (rolledBack) {
      boolean busy = inProgress > 0 || !notStarted.isEmpty();
      return new Step(busy ? RolloutPhase.REVERTING : RolloutPhase.ROLLED_BACK, notStarted,
          Optional.empty());
    }
    if (failed > maxFailedNodes(rollout)) {
      boolean revert = rollout.failurePolicy != null
          && rollout.failurePolicy.onFailure == OnFailure.RevertCompleted;
      return new Step(revert ? RolloutPhase.REVERTING : RolloutPhase.FAILURE_PAUSE, List.of(),
          Optional.empty());
    }
    if (notStarted.isEmpty() && inProgress == 0) {
      state.completedAt = state.completedAt == null ? in.now().toString() : state.completedAt;
      if (rollout.canary != null && state.canaryCompletedAt == null) {
        state.canaryCompletedAt = in.now().toString(); // everything fit into the canary
      }
      return new Step(RolloutPhase.COMPLETE, List.of(), Optional.empty());
    }
    if (Boolean.TRUE.equals(rollout.paused)) {
      return new Step(RolloutPhase.PAUSED, List.of(), Optional.empty());
    }
    int concurrency = maxConcurrentNodes(rollout.maxConcurrentNodes, targeted.size());
    long budget = concurrency - inProgress;
    CanarySpec canary = rollout.canary;
    if (canary != null && state.canaryCompletedAt == null) {
      long started = targeted.size() - notStarted.size() - skipped;
      int canaryNodes = (int) Math.min(canary.nodes == null ? 1 : canary.nodes,
          targeted.size() - skipped);
      if (started < canaryNodes || inProgress > 0) {
        budget = Math.min(budget, canaryNodes - started);
        return new Step(RolloutPhase.ROLLING, first(notStarted, budget), Optional.empty());
      }
      state.canaryCompletedAt = in.now().toString();
    }
    if (canary != null) {
      Optional<Duration> left = pauseLeft(canary, Instant.parse(state.canaryCompletedAt), in.now());
      if (left.isEmpty() || !left.get().isZero()) {
        return new Step(RolloutPhase.CANARY_PAUSE, List.of(), left);
      }
    }
    return new Step(RolloutPhase.ROLLING, first(notStarted, budget), Optional.empty());
  }

  /** Time left of the canary pause: zero when over, empty when it lasts until resumed. */
  static Optional<Duration> pauseLeft(CanarySpec canary, Instant canaryDone, Instant now) {
    String pause = canary.pause == null ? "Indefinite" : canary.pause;
    if ("Indefinite".equals(pause)) {
      return Optional.empty();
    }
    Duration left = Duration.between(now, canaryDone.plus(parseDuration(pause)));
    return Optional.of(left.isNegative() ? Duration.ZERO : left);
  }

  /** Parses "1h30m", "10m", "90s" (the forms the CRD's CEL rule allows). */
  static Duration parseDuration(String text) {
    return Duration.parse("PT" + text.toUpperCase());
  }

  /** A count, or a percentage of the targeted nodes rounded down; at least 1. Default 1. */
  static int maxConcurrentNodes(IntOrString value, int targeted) {
    if (value == null) {
      return 1;
    }
    if (value.getIntVal() != null) {
      return Math.max(1, value.getIntVal());
    }
    String s = value.getStrVal().trim();
    int percent = Integer.parseInt(s.substring(0, s.length() - 1));
    return Math.max(1, targeted * percent / 100);
  }

  static int maxFailedNodes(RolloutSpec rollout) {
    return rollout.failurePolicy == null || rollout.failurePolicy.maxFailedNodes == null
        ? 0 : rollout.failurePolicy.maxFailedNodes;
  }

  private static List<TargetedNode> first(List<TargetedNode> nodes, long n) {
    return nodes.subList(0, (int) Math.max(0, Math.min(n, nodes.size())));
  }

  private static RolloutState freshState(String digest) {
    RolloutState s = new RolloutState();
    s.digest = digest;
    return s;
  }
}
