package io.kulp.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.api.KulpConstants;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.ItSupport;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.TestLivePatches;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged operator (target/kulp-operator.jar + lib/) started through its launcher. */
class LauncherIT {

  @Test
  void theLauncherStartsThePackagedOperatorWhichReconciles() throws Exception {
    Path launcher = Path.of(System.getProperty("kulp.repoRoot", ".."), "operator", "kulp-operator");
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (var cluster = KubeApiTestCluster.start()) {
      var pb = new ProcessBuilder(launcher.toString()).redirectErrorStream(true)
          .redirectOutput(Path.of("target", "launcher-it.log").toFile());
      pb.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
      pb.environment().put(KulpConstants.ENV_LEADER_ELECTION, "false");
      pb.environment().put(KulpConstants.ENV_HTTP_PORT, Integer.toString(port));
      pb.environment().put(KulpConstants.ENV_HTTP_BIND_ADDRESS, "127.0.0.1");
      Process operator = pb.start();
      try {
        var http = HttpClient.newHttpClient();
        var startup = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/startup"))
            .build();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
            assertThat(http.send(startup, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200));
        var nodes = new FakeNodes(cluster.client(), "launch");
        nodes.addNodes("a");
        nodes.runPod("web-a", "a", "web", "app");
        cluster.client().resource(TestLivePatches.apply("launch", "launch", "web")).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(ItSupport.get(cluster.client(), "launch").getStatus())
                .isNotNull().satisfies(st -> assertThat(st.nodesDone).isEqualTo("0/1")));
      } finally {
        operator.destroy();
        operator.waitFor();
      }
    }
  }

  @Test
  void thePackagedOperatorExitsWhenItsWebhookCannotStartRatherThanStayUpHalfStarted() throws Exception {
    Path launcher = Path.of(System.getProperty("kulp.repoRoot", ".."), "operator", "kulp-operator");
    Path log = Path.of("target", "launcher-it-failed-start.log");
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // The webhook's port is taken: its server cannot listen, after the reconciler and the
    // endpoints have started.
    try (var cluster = KubeApiTestCluster.start();
        var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var pb = new ProcessBuilder(launcher.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
      pb.environment().put(KulpConstants.ENV_LEADER_ELECTION, "false");
      pb.environment().put(KulpConstants.ENV_HTTP_PORT, Integer.toString(port));
      pb.environment().put(KulpConstants.ENV_HTTP_BIND_ADDRESS, "127.0.0.1");
      pb.environment().put(KulpConstants.ENV_RUNTIME_IMAGE, "ghcr.io/kulp-io/kulp-runtime:0.1.0");
      pb.environment().put(KulpConstants.ENV_WEBHOOK_PORT, Integer.toString(taken.getLocalPort()));
      Process operator = pb.start();
      try {
        assertThat(operator.waitFor(60, TimeUnit.SECONDS))
            .as("the operator exited (a live JVM would keep its pod Ready); its log:%n%s", Files.readString(log))
            .isTrue();
        assertThat(operator.exitValue()).isEqualTo(1);
        assertThat(Files.readString(log)).contains("the operator did not start")
            .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
      } finally {
        operator.destroyForcibly();
        operator.waitFor();
      }
    }
  }
}
