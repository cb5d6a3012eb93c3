package io.kulp.operator.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS endpoint, on the JDK's server: {@link WebhookSettings#PATH} takes an
 * AdmissionReview and answers one. Served on a small bounded pool, like the ops endpoints, with
 * the certificate {@link ReloadingKeyManager} holds at each handshake.
 */
final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  /** The API server sends at most about 3 MiB in a request. */
  static final int MAX_BODY = 4 << 20;

  private final HttpsServer server;
  private final ThreadPoolExecutor pool;

  private WebhookServer(HttpsServer server, ThreadPoolExecutor pool) {
    this.server = server;
    this.pool = pool;
  }

  static WebhookServer start(String bindAddress, int port, ReloadingKeyManager keys,
      AdmissionController<?> controller) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
        r -> {
          Thread t = new Thread(r, "kulp-webhook");
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new javax.net.ssl.KeyManager[] {keys}, null, null);
      HttpsServer server = HttpsServer.create(new InetSocketAddress(bindAddress, port), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
      server.setExecutor(pool);
      server.createContext(WebhookSettings.PATH, ex -> review(ex, controller));
      server.start();
      return new WebhookServer(server, pool);
    } catch (IOException e) {
      pool.shutdownNow();
      throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
    } catch (GeneralSecurityException e) {
      pool.shutdownNow();
      throw new IllegalStateException(e);
    }
  }

  private static void review(HttpExchange exchange, AdmissionController<?> controller) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        exchange.sendResponseHeaders(413, -1);
        return;
      }
      byte[] answer;
      try {
        AdmissionReview review = Serialization.unmarshal(new String(body, StandardCharsets.UTF_8), AdmissionReview.class);
        answer = Serialization.asJson(controller.handle(review)).getBytes(StandardCharsets.UTF_8);
      } catch (RuntimeException e) {
        LOG.warn("cannot answer an AdmissionReview: {}", e.toString());
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
