package io.kulp.agent.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
  @Test
  void rendersCountersGaugesAndACumulativeLatencyHistogram() {
    AgentMetrics m = new AgentMetrics();
    m.operation("apply", "applied");
    m.operation("apply", "applied");
    m.operation("revert", "failed");
    m.gauge("kulp_agent_processes{result=\"applied\"}", () -> 42);
    m.injection(Duration.ofMillis(3));
    m.injection(Duration.ofMillis(30));

    String text = m.scrape();

    assertThat(text).contains("kulp_agent_operations_total{action=\"apply\",result=\"applied\"} 2\n")
        .contains("kulp_agent_operations_total{action=\"revert\",result=\"failed\"} 1\n")
        .contains("kulp_agent_processes{result=\"applied\"} 42\n")
        .contains("# TYPE kulp_agent_injection_seconds histogram\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"0.0025\"} 0\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"0.005\"} 1\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"0.05\"} 2\n")
        .contains("kulp_agent_injection_seconds_bucket{le=\"+Inf\"} 2\n")
        .contains("kulp_agent_injection_seconds_count 2\n");
    assertThat(m.counter("kulp_agent_operations_total{action=\"apply\",result=\"applied\"}")).isEqualTo(2);
  }
}
