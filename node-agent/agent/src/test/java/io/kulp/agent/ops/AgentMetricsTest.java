package io.kulp.agent.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessSummary;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
  private final AgentMetrics m = new AgentMetrics();

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, m.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void countsOperationsAndKeepsACumulativeLatencyHistogram() throws IOException {
    m.operation("apply", "applied");
    m.operation("apply", "applied");
    m.operation("revert", "failed");
    m.injection(Duration.ofMillis(3));
    m.injection(Duration.ofMillis(30));

    assertThat(scrape()).contains("kulp_agent_operations_total{action=\"apply\",result=\"applied\"} 2.0\n")
        .contains("kulp_agent_operations_total{action=\"revert\",result=\"failed\"} 1.0\n")
        .contains("# TYPE kulp_agent_injection_seconds histogram\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"0.0025\"} 0\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"0.005\"} 1\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"0.05\"} 2\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"+Inf\"} 2\n")
        .contains("kulp_agent_injection_seconds_count 2\n");
  }

  @Test
  void hasEveryLabelSetAtZeroBeforeItsFirstEvent() throws IOException {
    assertThat(scrape()).contains("kulp_agent_operations_total{action=\"revert_all\",result=\"skipped\"} 0.0\n")
        .contains("kulp_agent_patches_refused_total{reason=\"fetch\"} 0.0\n")
        .contains("kulp_agent_status_writes_total{result=\"conflict\"} 0.0\n")
        .contains("kulp_agent_processes_given_up_total 0.0\n")
        .contains("kulp_agent_injection_seconds_count 0\n");
  }

  @Test
  void servesJvmAndProcessMetrics() throws IOException {
    assertThat(scrape()).contains("# TYPE jvm_memory_used_bytes gauge\n")
        .contains("# TYPE jvm_threads_current gauge\n")
        .contains("# TYPE process_cpu_seconds_total counter\n")
        .contains("# TYPE process_resident_memory_bytes gauge\n");
  }

  @Test
  void readsTheNodesProcessesAndLivePatchNodePhasesAtEachScrape() throws IOException {
    m.node("node-1", () -> List.of(lpn(NodePhase.Succeeded, 3, 1), lpn(NodePhase.Failed, 2, 0), lpn(null, 0, 0),
        new LivePatchNode()));

    assertThat(scrape()).contains("kulp_agent_info{node=\"node-1\"} 1\n")
        .contains("kulp_agent_processes{result=\"applied\"} 5.0\n")
        .contains("kulp_agent_processes{result=\"failed\"} 1.0\n")
        .contains("kulp_agent_processes{result=\"reverted\"} 0.0\n")
        .contains("kulp_agent_livepatchnodes{phase=\"succeeded\"} 1.0\n")
        .contains("kulp_agent_livepatchnodes{phase=\"failed\"} 1.0\n")
        .contains("kulp_agent_livepatchnodes{phase=\"in_progress\"} 0.0\n")
        .contains("kulp_agent_livepatchnodes{phase=\"pending\"} 2.0\n");
  }

  private static LivePatchNode lpn(NodePhase phase, long applied, long failed) {
    LivePatchNode lpn = new LivePatchNode();
    lpn.setStatus(new LivePatchNodeStatus());
    lpn.getStatus().phase = phase;
    lpn.getStatus().summary = new ProcessSummary();
    lpn.getStatus().summary.applied = applied;
    lpn.getStatus().summary.failed = failed;
    return lpn;
  }
}
