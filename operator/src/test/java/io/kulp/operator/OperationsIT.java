package io.kulp.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.ItSupport;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.PromCheck;
import io.kulp.operator.testing.TestLivePatches;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leader election, health endpoints and Prometheus metrics of the operator. */
class OperationsIT {

  static KubeApiTestCluster cluster;
  static KubernetesClient client;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startCluster() {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  @Test
  void onlyTheLeaderReconcilesAndAStandbyTakesOverWhenItStops() throws Exception {
    KulpOperatorApp leader = KulpOperatorApp.start(cluster.newClient(),
        OperatorUnderTest.settings(true, "replica-1"), Clock.systemUTC());
    await().untilAsserted(() -> assertThat(holder()).isEqualTo("replica-1"));
    KulpOperatorApp standby = KulpOperatorApp.start(cluster.newClient(),
        OperatorUnderTest.settings(true, "replica-2"), Clock.systemUTC());
    try {
      assertThat(get(leader, "/startup").statusCode()).isEqualTo(200);
      await().untilAsserted(() -> assertThat(get(leader, "/healthz").statusCode()).isEqualTo(200));
      var nodes = new FakeNodes(client, "ops");
      nodes.addNodes("a");
      nodes.runPod("web-a", "a", "web", "app");
      client.resource(TestLivePatches.apply("ops", "ops", "web")).create();
      await().untilAsserted(() -> assertThat(ItSupport.get(client, "ops").getStatus()).isNotNull());
      await().untilAsserted(() -> assertThat(get(leader, "/metrics").body())
          .contains("operator_sdk_reconciliations_started_total"));
      assertThat(holder()).isEqualTo("replica-1");
      assertThat(get(standby, "/metrics").body())
          .as("the standby has reconciled nothing")
          .doesNotContain("operator_sdk_reconciliations_started_total")
          .doesNotContain("kulp_livepatch_");

      // per-LivePatch metrics, read by Prometheus's own parser in both formats it negotiates
      await().untilAsserted(() -> assertThat(get(leader, "/metrics").body())
          .contains("kulp_livepatch_target_nodes{livepatch=\"ops\"} 1.0"));
      var text = get(leader, "/metrics");
      assertThat(text.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
      var scrape = PromCheck.metrics(text.body(), text.headers().firstValue("Content-Type").orElseThrow());
      assertThat(scrape.families()).containsEntry("kulp_livepatch_target_nodes", "gauge")
          .containsEntry("kulp_livepatch_nodes", "gauge").containsEntry("kulp_livepatch_processes", "gauge")
          .containsEntry("kulp_livepatch_phase", "gauge") // a state set is a gauge in the text format
          .containsEntry("operator_sdk_reconciliations_started_total", "counter")
          .containsEntry("process_cpu_seconds_total", "counter").containsEntry("jvm_memory_used_bytes", "gauge");
      assertThat(scrape.lint()).filteredOn(p -> p.startsWith("kulp_")).isEmpty();
      assertThat(text.body()).contains("kulp_livepatch_nodes{livepatch=\"ops\",state=\"failed\"} 0.0")
          .containsPattern("kulp_livepatch_nodes\\{livepatch=\"ops\",state=\"skipped\"} [0-9.]+\n")
          .contains("kulp_livepatch_processes{livepatch=\"ops\",result=\"skipped\"} 0.0")
          .containsPattern("kulp_livepatch_phase\\{livepatch=\"ops\",kulp_livepatch_phase=\"RollingOut\"} 1\n");
      var open = getOpenMetrics(leader);
      assertThat(open.headers().firstValue("Content-Type")).contains("application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(PromCheck.metrics(open.body(), open.headers().firstValue("Content-Type").orElseThrow()).families())
          .containsEntry("kulp_livepatch_phase", "stateset").containsEntry("kulp_livepatch_nodes", "gauge");

      leader.close();

      await().atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(holder()).isEqualTo("replica-2"));
    } finally {
      standby.close();
    }
  }

  private String holder() {
    Lease lease = client.leases().inNamespace(OperatorUnderTest.NAMESPACE).withName("kulp-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private HttpResponse<String> getOpenMetrics(KulpOperatorApp app) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
        .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(KulpOperatorApp app, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + app.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
