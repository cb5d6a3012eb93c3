package io.kulp.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * A kubeconfig that authenticates as a ServiceAccount of deploy/ with a token from the API
 * server's TokenRequest API: the operator and the agents of the end-to-end tests run with exactly
 * the RBAC that deploy/rbac grants them, as in a cluster.
 */
public final class ServiceAccountKubeconfig {
  private ServiceAccountKubeconfig() {}

  public static Path write(KubernetesClient admin, String adminKubeconfigYaml, String namespace, String serviceAccount) {
    String token = admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build())
        .getStatus().getToken();
    return kubeconfig(adminKubeconfigYaml, serviceAccount, token);
  }

  /**
   * The kubeconfig of the agent of {@code node}, as its DaemonSet pod would have it: a token bound
   * to a pod scheduled on that node, so that it names the node (the claim the admission policy of
   * deploy/rbac/agent-own-node.yaml checks). The pod is a placeholder: no kubelet runs it.
   */
  static Path forAgentOn(KubernetesClient admin, String adminKubeconfigYaml, String node) {
    String namespace = E2EEnvironment.SYSTEM_NAMESPACE;
    Pod pod = admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
        .withName(agentPod(node)).endMetadata().withNewSpec().withNodeName(node)
        .withServiceAccountName("kulp-agent").addNewContainer().withName("agent").withImage("kulp-agent")
        .endContainer().endSpec().build()).create();
    String token = admin.serviceAccounts().inNamespace(namespace).withName("kulp-agent")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L)
            .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
            .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build())
        .getStatus().getToken();
    return kubeconfig(adminKubeconfigYaml, "kulp-agent-" + node, token);
  }

  /** The name of the placeholder pod of the agent of {@code node}. */
  static String agentPod(String node) {
    return "kulp-agent-" + node;
  }

  private static Path kubeconfig(String adminKubeconfigYaml, String serviceAccount, String token) {
    Config config = Config.fromKubeconfig(adminKubeconfigYaml);
    try {
      String ca = config.getCaCertData() != null ? config.getCaCertData()
          : Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
      String yaml = "apiVersion: v1\nkind: Config\n"
          + "clusters:\n- name: e2e\n  cluster:\n    server: " + config.getMasterUrl() + "\n"
          + "    certificate-authority-data: " + ca + "\n"
          + "users:\n- name: " + serviceAccount + "\n  user:\n    token: " + token + "\n"
          + "contexts:\n- name: e2e\n  context:\n    cluster: e2e\n    user: " + serviceAccount + "\n"
          + "current-context: e2e\n";
      Path file = Files.createTempFile("kulp-e2e-" + serviceAccount, ".kubeconfig");
      file.toFile().deleteOnExit(); // it holds a token: gone with the test JVM
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
