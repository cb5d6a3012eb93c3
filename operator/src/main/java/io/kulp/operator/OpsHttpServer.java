package io.kulp.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * /startup (the operator has started), /healthz (every informer is healthy) and /metrics
 * (Prometheus text format), on the JDK's HTTP server.
 */
final class OpsHttpServer implements AutoCloseable {

  private final HttpServer server;

  private OpsHttpServer(HttpServer server) {
    this.server = server;
  }

  static OpsHttpServer start(String bindAddress, int port, RuntimeInfo runtime,
      PrometheusMeterRegistry registry) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
      server.createContext("/startup", ex -> probe(ex, runtime::isStarted));
      server.createContext("/healthz", ex -> probe(ex, runtime::allEventSourcesAreHealthy));
      server.createContext("/metrics", ex -> send(ex, 200, registry.scrape(),
          "text/plain; version=0.0.4; charset=utf-8"));
      server.start();
      return new OpsHttpServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange ex, BooleanSupplier ok) throws IOException {
    boolean up = ok.getAsBoolean();
    send(ex, up ? 200 : 503, up ? "ok\n" : "not ready\n", "text/plain");
  }

  private static void send(HttpExchange ex, int code, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
