package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.api.v1alpha1.UnpatchedContainers;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Supplier;

/**
 * Finds the targeted containers that a complete OneShot rollout left unpatched because they
 * started after their node was done: a OneShot node works on the processes present when it is
 * started, so a container restarted later, or a new pod, runs without the patch while the
 * LivePatch stays Complete. Pure.
 *
 * <p>A node is done at its agent's final report ({@code status.lastReportTime}); the kubelet's
 * {@code state.running.startedAt} of a container on that node comes from the same machine's
 * clock. A node that matched pods only after the rollout completed (a OneShot rollout starts no
 * new node) is taken as done at the rollout's completion. Both times are compared to the second,
 * the kubelet's precision: a container counts when it started at least a second after, and one
 * that started in the same second as the report does not (the agent may have patched it). Nodes
 * still at work, skipped or timed out are not counted: nothing says what they did.
 */
final class UnpatchedSinceComplete {

  private UnpatchedSinceComplete() {}

  /**
   * The unpatched containers, or null when the question does not arise: not OneShot Apply, not
   * complete yet, or rolled back.
   *
   * @param resolved node name to the targets the LivePatch's selectors resolve to now
   * @param podsOfResolved the pods of {@code resolved} by "namespace/name", asked for only when
   *     the question arises
   */
  static UnpatchedContainers find(Mode mode, Action action, RolloutPlan plan,
      SortedMap<String, LivePatchNodeSpec> resolved, Supplier<Map<String, Pod>> podsOfResolved) {
    var state = plan.state();
    if (mode != Mode.OneShot || action != Action.Apply || state.completedAt == null
        || Boolean.TRUE.equals(state.rolledBack)) {
      return null;
    }
    Map<String, Pod> pods = podsOfResolved.get();
    Map<String, Instant> doneAt = new HashMap<>();
    Map<String, Boolean> inRollout = new HashMap<>();
    plan.targeted().forEach(t -> {
      inRollout.put(t.name(), true);
      if (t.progress().isFinished()) {
        var st = t.livePatchNode().getStatus();
        parse(st.lastReportTime).or(() -> parse(state.completedAt))
            .ifPresent(at -> doneAt.put(t.name(), at));
      }
    });
    Optional<Instant> completed = parse(state.completedAt);
    List<String> found = new ArrayList<>();
    resolved.forEach((node, spec) -> {
      Instant done = inRollout.containsKey(node) ? doneAt.get(node) : completed.orElse(null);
      if (done == null) {
        return;
      }
      Instant after = done.truncatedTo(ChronoUnit.SECONDS);
      for (TargetPod tp : spec.targets) {
        Pod pod = pods.get(tp.namespace + "/" + tp.name);
        for (TargetContainer c : tp.containers) {
          startedAt(pod, c.name).filter(s -> s.isAfter(after))
              .ifPresent(s -> found.add(node + ": " + tp.namespace + "/" + tp.name + "/" + c.name));
        }
      }
    });
    Collections.sort(found);
    UnpatchedContainers out = new UnpatchedContainers();
    out.count = found.size();
    out.containers = new ArrayList<>(found.subList(0, Math.min(found.size(),
        StatusAggregator.MAX_NODES_LISTED)));
    return out;
  }

  /** When the container {@code name} of {@code pod} last started, while it runs. */
  private static Optional<Instant> startedAt(Pod pod, String name) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> name.equals(s.getName()))
        .map(ContainerStatus::getState)
        .filter(s -> s != null && s.getRunning() != null)
        .findFirst()
        .flatMap(s -> parse(s.getRunning().getStartedAt()));
  }

  private static Optional<Instant> parse(String time) {
    try {
      return time == null ? Optional.empty() : Optional.of(Instant.parse(time));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
