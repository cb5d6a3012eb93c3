package io.kulp.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ops server on a real socket, with real clients, slow ones among them. */
class OpsHttpServerTest {

  /** How long a probe may take to be answered (the kubelet's default timeout is one second). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  final HttpClient client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
  final List<Socket> stalled = new ArrayList<>();
  OpsHttpServer server;

  @AfterEach
  void close() throws IOException {
    for (Socket s : stalled) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  OpsHttpServer start(BooleanSupplier healthy, BooleanSupplier ready) {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter.builder().name("kulp_test_total").help("A test counter.").register(registry).inc();
    server = OpsHttpServer.start("127.0.0.1", 0, Map.of("/healthz", healthy, "/readyz", ready), registry);
    return server;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(PROBE_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Accept", accept).timeout(PROBE_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A client that connects, sends the start of a request line and then sends nothing more. */
  Socket stallHalfwayThroughARequest() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    stalled.add(s);
    OutputStream out = s.getOutputStream();
    out.write("GET /heal".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  @Test
  void answersEachProbeWithOkOrNotReady() throws Exception {
    start(() -> true, () -> false);

    var healthz = get("/healthz");
    var readyz = get("/readyz");

    assertThat(healthz.statusCode()).isEqualTo(200);
    assertThat(healthz.body()).isEqualTo("ok\n");
    assertThat(readyz.statusCode()).isEqualTo(503);
    assertThat(readyz.body()).isEqualTo("not ready\n");
  }

  @Test
  void servesMetricsAsPrometheusText() throws Exception {
    start(() -> true, () -> true);

    var metrics = get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).isEqualTo("""
        # HELP kulp_test_total A test counter.
        # TYPE kulp_test_total counter
        kulp_test_total 1.0
        """);
  }

  @Test
  void servesOpenMetricsToAScraperThatAsksForIt() throws Exception {
    start(() -> true, () -> true);

    // what Prometheus sends
    var metrics = get("/metrics", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
        + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

    assertThat(metrics.headers().firstValue("Content-Type"))
        .contains("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(metrics.body()).contains("# TYPE kulp_test counter\n").contains("kulp_test_total 1.0\n")
        .endsWith("# EOF\n");
  }

  @Test
  void answersHealthzWhileAClientStallsHalfwayThroughItsRequest() throws Exception {
    start(() -> true, () -> true);
    stallHalfwayThroughARequest();
    Thread.sleep(200); // let the server start reading the stalled request

    for (int i = 0; i < 3; i++) {
      assertThat(get("/healthz").statusCode()).isEqualTo(200); // within PROBE_TIMEOUT each
    }
  }

  @Test
  void closesARequestThatDoesNotArriveInTimeSoThatMoreStalledClientsThanThreadsOnlyDelayProbes()
      throws Exception {
    start(() -> true, () -> true);
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < OpsHttpServer.THREADS + 1; i++) {
      slow.add(stallHalfwayThroughARequest());
    }

    long started = System.nanoTime();
    for (Socket s : slow) {
      s.setSoTimeout((OpsHttpServer.REQUEST_SECONDS + 3) * 1000);
      assertThat(closedByServer(s)).isTrue();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isLessThan(Duration.ofSeconds(OpsHttpServer.REQUEST_SECONDS + 3));
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  /** True when the server closed the connection (end of stream or reset); false on a time-out. */
  private static boolean closedByServer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
