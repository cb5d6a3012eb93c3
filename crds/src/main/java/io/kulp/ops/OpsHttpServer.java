package io.kulp.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The ops endpoints of the operator and of the node agent: health probes ("ok", or 503 "not
 * ready") and {@code /metrics} (a Prometheus client registry, in the format the scraper asks for:
 * OpenMetrics or the Prometheus text format), on the JDK's HTTP server.
 *
 * <p>A probe must be answered while some other client misbehaves, or the kubelet restarts a
 * healthy pod. So requests are served on a small bounded pool ({@value #THREADS} threads, at most
 * {@value #QUEUED} requests waiting; a connection beyond that is closed at once): a client that
 * sends half a request and stalls holds one thread, not the server (the JDK server reads a
 * request on the thread that serves it, and without a pool that is its only thread). And a
 * request must arrive, headers and body, within {@value #REQUEST_SECONDS} seconds, or the JDK
 * server closes its connection, so that even more stalled clients than threads only delay the
 * probes for that long.
 */
public final class OpsHttpServer implements AutoCloseable {

  /** Threads serving requests. */
  static final int THREADS = 4;
  /** Requests that may wait for a thread. */
  static final int QUEUED = 16;
  /** Seconds within which a whole request must arrive. */
  static final int REQUEST_SECONDS = 5;
  /**
   * The JDK server's limit on the time a request takes to arrive, in seconds (later JDKs'
   * documentation said milliseconds until JDK-8387598; the implementation has always read
   * seconds). Read once, when the first server of the JVM is created.
   */
  static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";

  private final HttpServer server;
  private final ThreadPoolExecutor pool;

  private OpsHttpServer(HttpServer server, ThreadPoolExecutor pool) {
    this.server = server;
    this.pool = pool;
  }

  /**
   * Listens on {@code bindAddress:port} (port 0: any free port) and serves each probe of
   * {@code probes} (path to check, e.g. "/healthz") and {@code metrics} on /metrics.
   */
  public static OpsHttpServer start(String bindAddress, int port, Map<String, BooleanSupplier> probes,
      PrometheusRegistry metrics) {
    limitRequestTime();
    ThreadPoolExecutor pool = pool();
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
      server.setExecutor(pool);
      probes.forEach((path, ok) -> server.createContext(path, ex -> probe(ex, ok)));
      ExpositionFormats formats = ExpositionFormats.init();
      server.createContext("/metrics", ex -> metrics(ex, metrics, formats));
      server.start();
      return new OpsHttpServer(server, pool);
    } catch (IOException e) {
      pool.shutdownNow();
      throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
    }
  }

  /** The port the endpoints listen on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Sets the JDK server's request time limit, unless the command line set it. It applies to the
   * whole JVM, and only if no HTTP server was created in it before: the operator and the agent
   * create this one first (and no other).
   */
  private static void limitRequestTime() {
    if (System.getProperty(MAX_REQUEST_TIME) == null) {
      System.setProperty(MAX_REQUEST_TIME, Integer.toString(REQUEST_SECONDS));
    }
  }

  private static ThreadPoolExecutor pool() {
    AtomicInteger threads = new AtomicInteger();
    // A rejected request (every thread busy and the queue full) has its connection closed by the
    // JDK server.
    return new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUED), r -> {
          Thread t = new Thread(r, "kulp-ops-http-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private static void probe(HttpExchange ex, BooleanSupplier ok) throws IOException {
    boolean up = ok.getAsBoolean();
    send(ex, up ? 200 : 503, up ? "ok\n" : "not ready\n", "text/plain");
  }

  /** Every metric, in the format the Accept header asks for (OpenMetrics, or else the Prometheus text format). */
  private static void metrics(HttpExchange ex, PrometheusRegistry metrics, ExpositionFormats formats)
      throws IOException {
    ExpositionFormatWriter writer = formats.findWriter(ex.getRequestHeaders().getFirst("Accept"));
    ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
    writer.write(body, metrics.scrape());
    send(ex, 200, body.toByteArray(), writer.getContentType());
  }

  private static void send(HttpExchange ex, int code, String body, String type) throws IOException {
    send(ex, code, body.getBytes(StandardCharsets.UTF_8), type);
  }

  private static void send(HttpExchange ex, int code, byte[] bytes, String type) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
