package io.kulp.agent.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * /healthz (the watches and the worker are alive), /readyz (caches synced and the first pass over
 * this node's LivePatchNodes done) and /metrics (Prometheus text), on the JDK's HTTP server with
 * one thread.
 */
public final class AgentHttpServer implements AutoCloseable {
  private final HttpServer server;

  private AgentHttpServer(HttpServer server) {
    this.server = server;
  }

  public static AgentHttpServer start(String bindAddress, int port, BooleanSupplier healthy, BooleanSupplier ready,
      Supplier<String> metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
      server.setExecutor(Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kulp-agent-http");
        t.setDaemon(true);
        return t;
      }));
      server.createContext("/healthz", ex -> probe(ex, healthy));
      server.createContext("/readyz", ex -> probe(ex, ready));
      server.createContext("/metrics", ex -> send(ex, 200, metrics.get(), "text/plain; version=0.0.4; charset=utf-8"));
      server.start();
      return new AgentHttpServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
    }
  }

  public int port() {
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
