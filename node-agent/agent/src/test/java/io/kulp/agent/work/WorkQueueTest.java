package io.kulp.agent.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.ops.OpsHttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.kulp.testing.Blocking;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker's liveness as the kubelet sees it: /healthz fails while a pass is stuck beyond the limit. */
@Timeout(20)
class WorkQueueTest {
  private static final Duration STALL = Duration.ofMillis(300);

  @Test
  void healthzFailsWhileAPassIsStuckBeyondTheLimitAndRecoversWhenItEnds() throws Exception {
    WorkerProgress progress = new WorkerProgress(Clock.systemUTC(), STALL);
    CountDownLatch release = new CountDownLatch(1);
    try (WorkQueue queue = new WorkQueue(name -> Blocking.hang(release), progress);
        OpsHttpServer http = OpsHttpServer.start("127.0.0.1", 0,
            Map.of("/healthz", () -> queue.alive() && !progress.stalled()), new PrometheusRegistry())) {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest healthz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/healthz"))
          .timeout(Duration.ofSeconds(5)).build();
      assertThat(client.send(healthz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      queue.enqueue("stuck");
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> client.send(healthz, HttpResponse.BodyHandlers.ofString()).statusCode() == 503);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(STALL);

      release.countDown();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> client.send(healthz, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    } finally {
      release.countDown();
    }
  }
}
