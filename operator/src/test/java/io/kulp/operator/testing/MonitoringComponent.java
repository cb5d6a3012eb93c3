package io.kulp.operator.testing;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * deploy/ with the optional component deploy/components/monitoring, as {@code kubectl kustomize}
 * renders it, and what it holds: the PrometheusRule read into its structure (unknown fields
 * refused), the PodMonitors, and the Grafana dashboard of the generated ConfigMap.
 */
public record MonitoringComponent(List<JsonNode> objects, PrometheusRule rule, JsonNode dashboard) {

  /** The PrometheusRule (monitoring.coreos.com/v1) fields kulp uses; anything else is an error. */
  public record PrometheusRule(String apiVersion, String kind, Metadata metadata, RuleSpec spec) {}

  public record Metadata(String name, String namespace, Map<String, String> labels) {}

  public record RuleSpec(List<RuleGroup> groups) {}

  public record RuleGroup(String name, List<Rule> rules) {}

  /** An alerting rule: {@code for} is a Prometheus duration, absent for "at once". */
  public record Rule(String alert, String expr, @JsonProperty("for") String forDuration, Map<String, String> labels,
      Map<String, String> annotations) {}

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** Renders an overlay of deploy/ with the component, in target/, with the real kubectl. */
  public static MonitoringComponent render() throws IOException, InterruptedException {
    Path overlay = Files.createDirectories(Path.of("target", "monitoring-overlay"));
    Files.writeString(overlay.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [../../../deploy]
        components: [../../../deploy/components/monitoring]
        """);
    Kubectl.Result r = new Kubectl(Path.of("/dev/null")).run("kustomize", overlay.toString());
    if (r.exitCode() != 0) {
      throw new AssertionError("kubectl kustomize failed: " + r.out());
    }
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(r.out())) {
      objects.addAll(new YAMLMapper().readValues(parser, JsonNode.class).readAll());
    }
    List<JsonNode> rules = objects.stream().filter(o -> o.path("kind").asText().equals("PrometheusRule")).toList();
    if (rules.size() != 1) {
      throw new AssertionError("expected one PrometheusRule, found " + rules.size());
    }
    JsonNode dashboard = objects.stream()
        .filter(o -> o.path("kind").asText().equals("ConfigMap") && o.path("metadata").path("labels")
            .path("grafana_dashboard").asText().equals("1"))
        .findFirst().map(o -> o.path("data").path("kulp.json").asText()).map(MonitoringComponent::json)
        .orElseThrow(() -> new AssertionError("no ConfigMap labelled grafana_dashboard=1 with kulp.json"));
    return new MonitoringComponent(objects, STRICT.treeToValue(rules.get(0), PrometheusRule.class), dashboard);
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new AssertionError("the dashboard is not JSON", e);
    }
  }

  /** Every alert rule. */
  public List<Rule> alerts() {
    return rule.spec().groups().stream().flatMap(g -> g.rules().stream()).toList();
  }

  /** The PromQL of every panel target of the dashboard. */
  public List<String> dashboardExpressions() {
    List<String> exprs = new ArrayList<>();
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    return exprs;
  }
}
