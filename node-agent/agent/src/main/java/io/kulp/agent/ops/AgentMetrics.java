package io.kulp.agent.ops;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The agent's Prometheus metrics, rendered in the text exposition format (0.0.4). Small on purpose:
 * counters with labels, gauges read on scrape, and one latency histogram.
 *
 * <ul>
 *   <li>{@code kulp_agent_operations_total{action,result}}: operations the agent made on processes
 *       (action apply, revert, revert_all; result applied, reverted, skipped, failed);
 *   <li>{@code kulp_agent_processes{result}}: processes per result across the LivePatchNodes of
 *       this node, as last reported (applied, reverted, skipped, failed);
 *   <li>{@code kulp_agent_injection_seconds}: engine time of one operation on one process;
 *   <li>{@code kulp_agent_patches_refused_total{reason}}: patches not used (sha256, metadata, fetch);
 *   <li>{@code kulp_agent_status_writes_total{result}}: LivePatchNode status writes.
 * </ul>
 */
public final class AgentMetrics {
  /** Upper bounds of the injection latency buckets, in seconds. */
  static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
  private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
  private final AtomicLong latencyCount = new AtomicLong();
  private final AtomicLong latencySumNanos = new AtomicLong();

  public void operation(String action, String result) {
    increment("kulp_agent_operations_total{action=\"" + action + "\",result=\"" + result + "\"}");
  }

  public void patchRefused(String reason) {
    increment("kulp_agent_patches_refused_total{reason=\"" + reason + "\"}");
  }

  /**
   * The agent gave up on one process: it stopped waiting for its work at the deadline, or did not
   * start it because earlier work on it (or on too many processes) has not ended.
   */
  public void processGivenUp() {
    increment("kulp_agent_processes_given_up_total");
  }

  public void statusWrite(String result) {
    increment("kulp_agent_status_writes_total{result=\"" + result + "\"}");
  }

  /** Registers a gauge read at each scrape, e.g. {@code kulp_agent_processes{result="applied"}}. */
  public void gauge(String series, LongSupplier value) {
    gauges.put(series, value);
  }

  public void injection(Duration elapsed) {
    double seconds = elapsed.toNanos() / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        buckets.incrementAndGet(i);
        break;
      }
    }
    latencyCount.incrementAndGet();
    latencySumNanos.addAndGet(elapsed.toNanos());
  }

  /** The value of a counter series, 0 when it never counted. */
  public long counter(String series) {
    AtomicLong c = counters.get(series);
    return c == null ? 0 : c.get();
  }

  private void increment(String series) {
    counters.computeIfAbsent(series, s -> new AtomicLong()).incrementAndGet();
  }

  /** Every series in the Prometheus text format. */
  public String scrape() {
    StringBuilder out = new StringBuilder(2048);
    family(out, "kulp_agent_operations_total", "counter", "Operations the agent made on processes.");
    family(out, "kulp_agent_patches_refused_total", "counter", "Patches refused (sha256, metadata or fetch).");
    family(out, "kulp_agent_status_writes_total", "counter", "LivePatchNode status writes, by result.");
    family(out, "kulp_agent_processes_given_up_total", "counter",
        "Processes whose work overran its deadline, or was not started while earlier work on them had not ended.");
    out.append("# HELP kulp_agent_processes Processes of this node's LivePatchNodes by result, as last reported.\n")
        .append("# TYPE kulp_agent_processes gauge\n");
    new TreeMap<>(gauges).forEach((series, value) -> out.append(series).append(' ').append(value.getAsLong()).append('\n'));
    out.append("# HELP kulp_agent_injection_seconds Engine time of one operation on one process.\n")
        .append("# TYPE kulp_agent_injection_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += buckets.get(i);
      out.append("kulp_agent_injection_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
    }
    out.append("kulp_agent_injection_seconds_bucket{le=\"+Inf\"} ").append(latencyCount.get()).append('\n')
        .append("kulp_agent_injection_seconds_sum ").append(latencySumNanos.get() / 1e9).append('\n')
        .append("kulp_agent_injection_seconds_count ").append(latencyCount.get()).append('\n');
    return out.toString();
  }

  private void family(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    new TreeMap<>(counters).forEach((series, value) -> {
      if (series.equals(name) || series.startsWith(name + "{")) {
        out.append(series).append(' ').append(value.get()).append('\n');
      }
    });
  }
}
