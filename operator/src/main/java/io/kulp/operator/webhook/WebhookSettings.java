package io.kulp.operator.webhook;

import io.kulp.api.KulpConstants;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The runtime-injection webhook's settings (environment variable names in {@link KulpConstants}).
 *
 * @param runtimeImage the runtime image the init container runs
 * @param namespace the operator's namespace: where the Secret and the Service are
 * @param kulpNamespaces namespaces never injected besides kube-system (kulp's own)
 * @param bindAddress address the HTTPS server binds to (that of the ops endpoints)
 * @param port its port (0: any free port)
 * @param managedTls whether kulp generates and rotates the certificate and keeps the caBundle
 *     current (false: cert-manager, or another tool, does both)
 * @param secretName the Secret holding ca.crt, tls.crt and tls.key
 * @param webhookConfigName the MutatingWebhookConfiguration whose caBundle kulp keeps current
 * @param serviceName the Service in front of the webhook (the certificate names it)
 * @param validity how long a certificate kulp generates is valid
 * @param refresh how often each replica reads the Secret again (and renews when due)
 */
public record WebhookSettings(String runtimeImage, String namespace, Set<String> kulpNamespaces,
    String bindAddress, int port, boolean managedTls, String secretName, String webhookConfigName,
    String serviceName, Duration validity, Duration refresh) {

  public static final String SECRET = "kulp-webhook-tls";
  public static final String WEBHOOK_CONFIG = "kulp-runtime-injection";
  public static final String SERVICE = "kulp-webhook";
  /** The path the API server posts AdmissionReviews to. */
  public static final String PATH = "/inject-runtime";

  /** The settings, or empty when no runtime image is configured (the webhook is off). */
  public static Optional<WebhookSettings> fromEnv(Map<String, String> env) {
    String image = env.get(KulpConstants.ENV_RUNTIME_IMAGE);
    if (image == null || image.isBlank()) {
      return Optional.empty();
    }
    String namespace = env.getOrDefault(KulpConstants.ENV_OPERATOR_NAMESPACE, KulpConstants.SYSTEM_NAMESPACE);
    String tls = env.getOrDefault(KulpConstants.ENV_WEBHOOK_TLS, "kulp");
    if (!tls.equals("kulp") && !tls.equals("external")) {
      throw new IllegalArgumentException(KulpConstants.ENV_WEBHOOK_TLS + " is \"kulp\" or \"external\", not " + tls);
    }
    return Optional.of(new WebhookSettings(image, namespace, Set.copyOf(List.of(namespace, KulpConstants.SYSTEM_NAMESPACE,
        KulpConstants.PATCHES_NAMESPACE)),
        env.getOrDefault(KulpConstants.ENV_HTTP_BIND_ADDRESS, "0.0.0.0"),
        Integer.parseInt(env.getOrDefault(KulpConstants.ENV_WEBHOOK_PORT, "8443")), tls.equals("kulp"),
        SECRET, WEBHOOK_CONFIG, SERVICE, Duration.ofDays(365), Duration.ofMinutes(10)));
  }

  /** The names the serving certificate must have: the Service's, as the API server dials it. */
  List<String> dnsNames() {
    return List.of(serviceName + "." + namespace + ".svc", serviceName + "." + namespace + ".svc.cluster.local",
        serviceName + "." + namespace, serviceName);
  }
}
