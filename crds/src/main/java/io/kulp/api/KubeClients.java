package io.kulp.api;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** The API server connection of the operator and the agents: one way to make it. */
public final class KubeClients {

  private KubeClients() {}

  /**
   * A client configured as kubectl is: the kubeconfig ({@code KUBECONFIG}, {@code ~/.kube/config})
   * or, in a pod, its service account.
   */
  public static KubernetesClient fromEnvironment() {
    return new KubernetesClientBuilder().withConfig(keptAsLoaded(Config.autoConfigure(null)))
        .build();
  }

  /**
   * {@code config}, which, when it authenticates by client certificate alone, stays so without
   * re-reading its kubeconfig.
   *
   * <p>fabric8 (7.5) reloads the whole configuration before a request once a minute has passed
   * since it last got a token. A configuration without a token never gets one, so from its second
   * minute on every request re-reads and re-parses the kubeconfig: 18% of the operator's CPU while
   * it wrote 5,000 LivePatchNodes (docs/benchmarks.md). Such a reload could only bring a token, and
   * the client's certificate is already in its TLS context: the configuration is given a token
   * provider that has none, which fabric8 asks instead. Tokens (a service account's, an exec
   * plugin's, an auth provider's) are still refreshed as fabric8 does, and a configuration with no
   * credentials at all is left as fabric8 has it (a service account token may yet appear).
   */
  static Config keptAsLoaded(Config config) {
    boolean tokenBased = notEmpty(config.getOauthToken()) || notEmpty(config.getAutoOAuthToken())
        || config.getOauthTokenProvider() != null || config.getAuthProvider() != null
        || notEmpty(config.getUsername());
    boolean certificate = notEmpty(config.getClientCertData())
        || notEmpty(config.getClientCertFile());
    if (certificate && !tokenBased) {
      config.setOauthTokenProvider(() -> null);
    }
    return config;
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
