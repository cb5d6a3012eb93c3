package io.kulp.agent.ops;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessSummary;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The agent's Prometheus metrics (the Prometheus Java client), served on /metrics with the JVM's
 * and the process's ({@code jvm_*}, {@code process_*}). Every label set is there from the start,
 * at 0, so that {@code rate()} and {@code increase()} see a series' first event.
 *
 * <ul>
 *   <li>{@code kulp_agent_info{node}}: 1, naming this agent's node;
 *   <li>{@code kulp_agent_operations_total{action,result}}: operations the agent made on processes
 *       (action apply, revert, revert_all, revert_all_apply; result applied, reverted, skipped, failed);
 *   <li>{@code kulp_agent_processes{result}}: processes per result across the LivePatchNodes of
 *       this node, as last reported (applied, reverted, skipped, failed);
 *   <li>{@code kulp_agent_livepatchnodes{phase}}: this node's LivePatchNodes by reported phase
 *       (pending: not reported yet, in_progress, succeeded, failed);
 *   <li>{@code kulp_agent_injection_seconds}: engine time of one operation on one process;
 *   <li>{@code kulp_agent_patches_refused_total{reason}}: patches not used (sha256, metadata, fetch);
 *   <li>{@code kulp_agent_status_writes_total{result}}: LivePatchNode status writes (ok, conflict,
 *       error, gone);
 *   <li>{@code kulp_agent_processes_given_up_total}: processes whose work overran its deadline.
 * </ul>
 */
public final class AgentMetrics {
  /** Upper bounds of the injection latency buckets, in seconds. */
  static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /** {@code io.kulp.engine.Operation#kind()} of each operation. */
  static final List<String> ACTIONS = List.of("apply", "revert", "revert_all", "revert_all_apply");
  /** {@code io.kulp.engine.Outcome}, in lower case. */
  static final List<String> OUTCOMES = List.of("applied", "reverted", "skipped", "failed");
  /** {@code io.kulp.agent.patch.PatchRefused#reason()}. */
  static final List<String> REFUSALS = List.of("sha256", "metadata", "fetch");
  static final List<String> STATUS_WRITES = List.of("ok", "conflict", "error", "gone");
  static final List<String> PHASES = List.of("pending", "in_progress", "succeeded", "failed");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter operations;
  private final Counter refused;
  private final Counter statusWrites;
  private final Counter givenUp;
  private final Histogram injection;

  public AgentMetrics() {
    JvmMetrics.builder().register(registry);
    operations = Counter.builder().name("kulp_agent_operations_total")
        .help("Operations the agent made on processes, by action and result.")
        .labelNames("action", "result").register(registry);
    ACTIONS.forEach(a -> OUTCOMES.forEach(r -> operations.initLabelValues(a, r)));
    refused = Counter.builder().name("kulp_agent_patches_refused_total")
        .help("Patches refused or not fetched, by reason (sha256, metadata, fetch).")
        .labelNames("reason").register(registry);
    REFUSALS.forEach(refused::initLabelValues);
    statusWrites = Counter.builder().name("kulp_agent_status_writes_total")
        .help("LivePatchNode status writes, by result.").labelNames("result").register(registry);
    STATUS_WRITES.forEach(statusWrites::initLabelValues);
    givenUp = Counter.builder().name("kulp_agent_processes_given_up_total")
        .help("Processes whose work overran its deadline, or was not started while earlier work on them had not ended.")
        .register(registry);
    injection = Histogram.builder().name("kulp_agent_injection_seconds")
        .help("Engine time of one operation on one process.")
        .classicOnly().classicUpperBounds(BUCKETS).register(registry);
  }

  public void operation(String action, String result) {
    operations.labelValues(action, result).inc();
  }

  public void patchRefused(String reason) {
    refused.labelValues(reason).inc();
  }

  /**
   * The agent gave up on one process: it stopped waiting for its work at the deadline, or did not
   * start it because earlier work on it (or on too many processes) has not ended.
   */
  public void processGivenUp() {
    givenUp.inc();
  }

  public void statusWrite(String result) {
    statusWrites.labelValues(result).inc();
  }

  public void injection(Duration elapsed) {
    injection.observe(elapsed.toNanos() / 1e9);
  }

  /**
   * The per-node gauges, read at each scrape from this node's LivePatchNodes (the agent's cache):
   * {@code kulp_agent_info}, {@code kulp_agent_processes} and {@code kulp_agent_livepatchnodes}.
   */
  public void node(String nodeName, Supplier<Collection<LivePatchNode>> livePatchNodes) {
    Info.builder().name("kulp_agent_info").help("The node agent, labelled with its node.").labelNames("node")
        .register(registry).addLabelValues(nodeName);
    GaugeWithCallback.builder().name("kulp_agent_processes")
        .help("Processes of this node's LivePatchNodes by result, as last reported.").labelNames("result")
        .callback(cb -> {
          Collection<LivePatchNode> lpns = livePatchNodes.get();
          cb.call(sum(lpns, s -> s.applied), "applied");
          cb.call(sum(lpns, s -> s.reverted), "reverted");
          cb.call(sum(lpns, s -> s.skipped), "skipped");
          cb.call(sum(lpns, s -> s.failed), "failed");
        }).register(registry);
    GaugeWithCallback.builder().name("kulp_agent_livepatchnodes")
        .help("This node's LivePatchNodes by the phase last reported (pending: none yet).").labelNames("phase")
        .callback(cb -> {
          Collection<LivePatchNode> lpns = livePatchNodes.get();
          for (String phase : PHASES) {
            cb.call(lpns.stream().filter(l -> phase(l).equals(phase)).count(), phase);
          }
        }).register(registry);
  }

  private static long sum(Collection<LivePatchNode> lpns, ToLongFunction<ProcessSummary> f) {
    return lpns.stream().filter(l -> l.getStatus() != null && l.getStatus().summary != null)
        .mapToLong(l -> f.applyAsLong(l.getStatus().summary)).sum();
  }

  private static String phase(LivePatchNode lpn) {
    NodePhase phase = lpn.getStatus() == null ? null : lpn.getStatus().phase;
    return phase == null ? "pending" : phase == NodePhase.InProgress ? "in_progress" : phase.name().toLowerCase(Locale.ROOT);
  }

  /** The registry /metrics serves. */
  public PrometheusRegistry registry() {
    return registry;
  }
}
