package io.kulp.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.ItSupport;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.OperatorUnderTest;
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
          .doesNotContain("operator_sdk_reconciliations_started_total");

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

  private HttpResponse<String> get(KulpOperatorApp app, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + app.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
