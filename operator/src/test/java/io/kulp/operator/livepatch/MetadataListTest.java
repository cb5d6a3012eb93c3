package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A page of metadata from a server that stops sending halfway ends at its deadline; one that is
 * not a list fails; both name the LIST.
 */
class MetadataListTest {

  private HttpServer server;
  private KubernetesClient client;
  private final CountDownLatch released = new CountDownLatch(1);

  @BeforeEach
  void serverThatStallsHalfwayThroughAPage() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/pods", exchange -> {
      exchange.sendResponseHeaders(200, 0);
      exchange.getResponseBody().write("{\"metadata\":{},\"items\":[{\"metadata\":{\"name\":\"a\""
          .getBytes(StandardCharsets.UTF_8));
      exchange.getResponseBody().flush();
      try {
        released.await(60, TimeUnit.SECONDS); // the rest never comes while the test runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.createContext("/api/v1/nodes", exchange -> {
      byte[] notJson = "<html>a proxy's error page</html>".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, notJson.length);
      exchange.getResponseBody().write(notJson);
      exchange.close();
    });
    server.start();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).build()).build();
  }

  @AfterEach
  void stop() {
    released.countDown();
    client.close();
    server.stop(0);
  }

  @Test
  void aPageThatStopsArrivingFailsAtItsDeadlineNamingTheList() {
    URI uri = URI.create(client.getMasterUrl() + "api/v1/pods?limit=5000");
    long start = System.nanoTime();

    assertThatThrownBy(() -> MetadataList.get(client, uri, 1))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("LIST " + uri + " not answered whole within 1 s");
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void anAnswerThatIsNotAListFailsNamingTheList() {
    URI uri = URI.create(client.getMasterUrl() + "api/v1/nodes?limit=5000");

    assertThatThrownBy(() -> MetadataList.get(client, uri, 10))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("LIST " + uri + " failed: ");
  }
}
