package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What fabric8 does with the operator's and agents' configuration before a request, once its
 * refresh is due: a configuration with a token takes the kubeconfig's new token; one with a client
 * certificate alone does not re-read the kubeconfig (it would on every request).
 */
class KubeClientsTest {

  @TempDir Path dir;
  private Path kubeconfig;
  private String previous;

  @BeforeEach
  void pointAtATemporaryKubeconfig() {
    kubeconfig = dir.resolve("kubeconfig");
    previous = System.setProperty("kubeconfig", kubeconfig.toString());
  }

  @AfterEach
  void restore() {
    if (previous == null) {
      System.clearProperty("kubeconfig");
    } else {
      System.setProperty("kubeconfig", previous);
    }
  }

  @Test
  void fabric8ReReadsTheKubeconfigOfACertificateConfigurationBeforeARequest() throws Exception {
    Files.writeString(kubeconfig, kubeconfig(CERTIFICATE));
    Config loaded = Config.autoConfigure(null);
    Files.writeString(kubeconfig, kubeconfig(CERTIFICATE + "    token: read-again\n"));

    assertThat(headersOfARequest(loaded)).containsEntry("Authorization", "Bearer read-again");
  }

  @Test
  void aCertificateConfigurationIsNotReadAgain() throws Exception {
    Files.writeString(kubeconfig, kubeconfig(CERTIFICATE));
    Config loaded = KubeClients.keptAsLoaded(Config.autoConfigure(null));
    Files.writeString(kubeconfig, kubeconfig(CERTIFICATE + "    token: read-again\n"));

    assertThat(headersOfARequest(loaded)).doesNotContainKey("Authorization");
    assertThat(loaded.getClientCertData()).isEqualTo("Y2VydA==");
  }

  @Test
  void aTokenConfigurationStillTakesTheKubeconfigsNewToken() throws Exception {
    Files.writeString(kubeconfig, kubeconfig("    token: first\n"));
    Config loaded = KubeClients.keptAsLoaded(Config.autoConfigure(null));
    Files.writeString(kubeconfig, kubeconfig("    token: rotated\n"));

    assertThat(headersOfARequest(loaded)).containsEntry("Authorization", "Bearer rotated");
  }

  @Test
  void aConfigurationWithoutCredentialsIsLeftToFabric8() throws Exception {
    Files.writeString(kubeconfig, kubeconfig("    {}\n"));
    Config loaded = KubeClients.keptAsLoaded(Config.autoConfigure(null));
    Files.writeString(kubeconfig, kubeconfig("    token: appeared\n"));

    assertThat(headersOfARequest(loaded)).containsEntry("Authorization", "Bearer appeared");
  }

  private static final String CERTIFICATE =
      "    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n";

  /** The headers fabric8's token interceptor gives a request when its refresh is due. */
  private static Map<String, String> headersOfARequest(Config config) {
    Map<String, String> headers = new HashMap<>();
    BasicBuilder builder = new BasicBuilder() {
      @Override
      public BasicBuilder uri(URI uri) {
        return this;
      }

      @Override
      public BasicBuilder header(String k, String v) {
        headers.put(k, v);
        return this;
      }

      @Override
      public BasicBuilder setHeader(String k, String v) {
        headers.put(k, v);
        return this;
      }
    };
    new TokenRefreshInterceptor(config, Instant.EPOCH,
        c -> CompletableFuture.completedFuture(null)).before(builder, null, null);
    return headers;
  }

  private static String kubeconfig(String user) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: https://apiserver:6443
        users:
        - name: u
          user:
        %scontexts:
        - name: ctx
          context: {cluster: c, user: u}
        current-context: ctx
        """.formatted(user);
  }
}
