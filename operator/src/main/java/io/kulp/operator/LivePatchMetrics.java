package io.kulp.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchStatus;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import java.util.List;
import java.util.function.Supplier;

/**
 * Per-LivePatch metrics, read at each scrape from the LivePatches' status in the operator's cache
 * (the leader's: a standby replica has no LivePatches in its cache, and so no such series):
 *
 * <ul>
 *   <li>{@code kulp_livepatch_target_nodes{livepatch}}: nodes targeted by the current rollout;
 *   <li>{@code kulp_livepatch_nodes{livepatch,state}}: targeted nodes done, failed and in_progress;
 *   <li>{@code kulp_livepatch_processes{livepatch,result}}: processes patched (in the desired state),
 *       skipped and failed;
 *   <li>{@code kulp_livepatch_phase{livepatch,phase}}: 1 for the rollout's phase, 0 for the others
 *       (the reason of its Progressing condition: RollingOut, Paused, CanaryPause,
 *       FailurePolicyPause, RolledBack, AllNodesDone, InvalidSpec, Deleting; Pending before the
 *       first status).
 * </ul>
 */
final class LivePatchMetrics {
  /** The phases of {@code kulp_livepatch_phase}, every one present for each LivePatch. */
  static final List<String> PHASES = List.of("Pending", KulpConstants.REASON_ROLLING_OUT, KulpConstants.REASON_PAUSED,
      KulpConstants.REASON_CANARY_PAUSE, KulpConstants.REASON_FAILURE_POLICY_PAUSE, KulpConstants.REASON_ROLLED_BACK,
      KulpConstants.REASON_ALL_NODES_DONE, KulpConstants.REASON_INVALID_SPEC, KulpConstants.REASON_DELETING);

  private LivePatchMetrics() {}

  /** Registers the gauges, reading {@code livePatches} at each scrape. */
  static void register(PrometheusRegistry registry, Supplier<List<LivePatch>> livePatches) {
    GaugeWithCallback.builder().name("kulp_livepatch_target_nodes")
        .help("Nodes targeted by the LivePatch's current rollout.").labelNames("livepatch")
        .callback(cb -> livePatches.get().forEach(lp -> cb.call(status(lp).nodes == null ? 0
            : status(lp).nodes.targeted, name(lp)))).register(registry);
    GaugeWithCallback.builder().name("kulp_livepatch_nodes")
        .help("Targeted nodes of the LivePatch's current rollout by state (done, failed, in_progress, skipped:"
            + " no live kulp agent).")
        .labelNames("livepatch", "state").callback(cb -> livePatches.get().forEach(lp -> {
          var n = status(lp).nodes;
          cb.call(n == null ? 0 : n.done, name(lp), "done");
          cb.call(n == null ? 0 : n.failed, name(lp), "failed");
          cb.call(n == null ? 0 : n.inProgress, name(lp), "in_progress");
          cb.call(n == null ? 0 : n.skipped, name(lp), "skipped");
        })).register(registry);
    GaugeWithCallback.builder().name("kulp_livepatch_processes")
        .help("Processes of the LivePatch's current rollout by result (patched, skipped, failed).")
        .labelNames("livepatch", "result").callback(cb -> livePatches.get().forEach(lp -> {
          var p = status(lp).processes;
          cb.call(p == null ? 0 : p.patched, name(lp), "patched");
          cb.call(p == null ? 0 : p.skipped, name(lp), "skipped");
          cb.call(p == null ? 0 : p.failed, name(lp), "failed");
        })).register(registry);
    registry.register(() -> phases(livePatches.get()));
  }

  /** A state set: for each LivePatch, every phase with 1 for the current one. */
  private static StateSetSnapshot phases(List<LivePatch> livePatches) {
    var builder = StateSetSnapshot.builder().name("kulp_livepatch_phase")
        .help("The phase of the LivePatch's rollout: 1 for the current one.");
    for (LivePatch lp : livePatches) {
      String current = phase(lp);
      var data = StateSetDataPointSnapshot.builder()
          .labels(Labels.of("livepatch", name(lp)));
      for (String phase : PHASES) {
        data.state(phase, phase.equals(current));
      }
      builder.dataPoint(data.build());
    }
    return builder.build();
  }

  /** The reason of the Progressing condition, or Pending. */
  static String phase(LivePatch lp) {
    for (Condition c : status(lp).conditions) {
      if (KulpConstants.CONDITION_PROGRESSING.equals(c.getType()) && PHASES.contains(c.getReason())) {
        return c.getReason();
      }
    }
    return "Pending";
  }

  private static LivePatchStatus status(LivePatch lp) {
    return lp.getStatus() == null ? new LivePatchStatus() : lp.getStatus();
  }

  private static String name(LivePatch lp) {
    return lp.getMetadata().getName();
  }
}
