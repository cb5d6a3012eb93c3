package io.kulp.operator.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kulp.api.CrdResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real kube-apiserver and etcd (kube-api-test, binaries from deploy/dev/kube-test-binaries.sh)
 * with kulp's CRDs and the operator's namespace installed, bound to 127.0.0.1. One per test class.
 */
public final class KubeApiTestCluster implements AutoCloseable {

  private final KubeAPIServer server;
  private final KubernetesClient client;
  private final Path kubeconfig;

  private KubeApiTestCluster(KubeAPIServer server, KubernetesClient client, Path kubeconfig) {
    this.server = server;
    this.client = client;
    this.kubeconfig = kubeconfig;
  }

  public static KubeApiTestCluster start() {
    var server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withApiServerFlags(List.of("--bind-address", "127.0.0.1")).build());
    server.start();
    String yaml = server.getKubeConfigYaml();
    try {
      Path kubeconfig = Files.createTempFile("kulp-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, yaml);
      var client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      CrdResources.install(client, 60);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(OperatorUnderTest.NAMESPACE).endMetadata().build()).serverSideApply();
      return new KubeApiTestCluster(server, client, kubeconfig);
    } catch (IOException e) {
      server.stop();
      throw new UncheckedIOException(e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** A client of its own (for a second operator instance, or an agent), same credentials. */
  public KubernetesClient newClient() {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig file for the real kubectl. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public void close() throws IOException {
    client.close();
    server.stop();
    Files.deleteIfExists(kubeconfig);
  }
}
