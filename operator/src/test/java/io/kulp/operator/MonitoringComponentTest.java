package io.kulp.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.operator.testing.MonitoringComponent;
import io.kulp.operator.testing.MonitoringComponent.Rule;
import io.kulp.operator.testing.PromCheck;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/components/monitoring renders with deploy/, and its alert rules and dashboard parse (the
 * rules into the PrometheusRule structure, every expression with Prometheus's PromQL parser).
 * LivePatchE2E checks that they name only metrics the running components export.
 */
class MonitoringComponentTest {
  static MonitoringComponent monitoring;

  @BeforeAll
  static void render() throws Exception {
    monitoring = MonitoringComponent.render();
  }

  @Test
  void addsPodMonitorsForTheOperatorAndTheAgentsAndOnePrometheusRule() {
    assertThat(monitoring.objects()).filteredOn(o -> o.path("kind").asText().equals("PodMonitor"))
        .extracting(o -> o.path("metadata").path("name").asText()).containsExactlyInAnyOrder("kulp-operator", "kulp-agent");
    assertThat(monitoring.rule().apiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitoring.rule().metadata().namespace()).isEqualTo("kulp-system");
  }

  @Test
  void alertsOnAHaltedRolloutAFailedNodeADownAgentAndFailingPatchFetches() {
    assertThat(monitoring.alerts()).extracting(Rule::alert).contains("KulpRolloutHalted", "KulpLivePatchNodeFailed",
        "KulpAgentDown", "KulpPatchFetchFailing").doesNotHaveDuplicates();
    assertThat(monitoring.alerts()).allSatisfy(rule -> {
      assertThat(rule.labels()).containsKey("severity");
      assertThat(rule.labels().get("severity")).isIn("critical", "warning");
      assertThat(rule.annotations()).containsKeys("summary", "description");
      if (rule.forDuration() != null) {
        assertThat(rule.forDuration()).matches("[0-9]+[smh]");
      }
    });
  }

  @Test
  void everyAlertAndPanelExpressionParsesAsPromQLAndSelectsMetricsByName() {
    List<String> exprs = new java.util.ArrayList<>(monitoring.alerts().stream().map(Rule::expr).toList());
    exprs.addAll(monitoring.dashboardExpressions());
    assertThat(monitoring.dashboardExpressions()).hasSizeGreaterThan(10);

    List<Set<String>> names = PromCheck.promql(exprs);

    assertThat(names).hasSameSizeAs(exprs).allSatisfy(n -> assertThat(n).isNotEmpty().doesNotContain("?"));
  }

  @Test
  void promCheckRefusesABrokenExpression() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PromCheck.promql(List.of("sum(up")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("unclosed left parenthesis");
  }
}
