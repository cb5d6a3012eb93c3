package io.kulp.operator.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's certificate in the cluster. Each pass reads the Secret; when kulp manages TLS it
 * first replaces a missing or due certificate (a write that loses a race to another replica is
 * dropped, and the winner's Secret read instead), and puts the stored CAs into every webhook's
 * {@code caBundle} of the MutatingWebhookConfiguration. Then the HTTPS server serves what the
 * Secret holds. The CAs reach the caBundle before this replica serves a certificate they sign.
 */
final class WebhookTls {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookTls.class);
  static final String CA = "ca.crt";
  static final String CERT = "tls.crt";
  static final String KEY = "tls.key";
  /** The CA that signed the certificate before the last rotation, trusted until it expires. */
  static final String PREVIOUS_CA = "ca-previous.crt";

  private final KubernetesClient client;
  private final WebhookSettings settings;
  private final ReloadingKeyManager keys;
  private final Clock clock;

  WebhookTls(KubernetesClient client, WebhookSettings settings, ReloadingKeyManager keys, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.keys = keys;
    this.clock = clock;
  }

  /** One pass; false when there is nothing to serve yet (external TLS whose Secret is not written). */
  boolean refresh() {
    Secret secret = read();
    if (settings.managedTls()) {
      Optional<String> why = CertificateRotation.whyRenew(material(secret), settings.dnsNames(), clock.instant());
      if (why.isPresent()) {
        secret = renew(secret, why.get());
      }
    }
    WebhookCertificate material = material(secret);
    if (material == null) {
      LOG.warn("the Secret {}/{} holds no certificate yet: the webhook does not serve", settings.namespace(),
          settings.secretName());
      return false;
    }
    if (settings.managedTls()) {
      updateCaBundle(CertificateRotation.caBundle(material.caPem(), text(secret, PREVIOUS_CA), clock.instant()));
    }
    if (keys.load(material)) {
      LOG.info("the webhook serves the certificate of Secret {}/{} (resourceVersion {})", settings.namespace(),
          settings.secretName(), secret.getMetadata().getResourceVersion());
    }
    return true;
  }

  private Secret read() {
    return client.secrets().inNamespace(settings.namespace()).withName(settings.secretName()).get();
  }

  private Secret renew(Secret old, String why) {
    WebhookCertificate fresh = WebhookCertificate.generate(settings.dnsNames(), clock.instant(), settings.validity());
    Map<String, String> data = new HashMap<>();
    data.put(CA, b64(fresh.caPem()));
    data.put(CERT, b64(fresh.certPem()));
    data.put(KEY, b64(fresh.keyPem()));
    String oldCa = text(old, CA);
    String stillValid = oldCa == null ? "" : CertificateRotation.caBundle("", oldCa, clock.instant());
    if (!stillValid.isEmpty()) {
      data.put(PREVIOUS_CA, b64(stillValid));
    }
    try {
      Secret written;
      if (old == null) {
        written = client.secrets().inNamespace(settings.namespace()).resource(new SecretBuilder().withNewMetadata()
            .withName(settings.secretName()).withNamespace(settings.namespace())
            .addToLabels("kulp.io/component", "webhook").endMetadata()
            .withType("kubernetes.io/tls").withData(data).build()).create();
      } else {
        Secret changed = new SecretBuilder(old).withData(data).build();
        written = client.secrets().inNamespace(settings.namespace()).resource(changed).update(); // resourceVersion-locked
      }
      LOG.info("renewed the webhook's certificate: {}", why);
      return written;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) { // another replica renewed first: use its certificate
        return read();
      }
      throw e;
    }
  }

  private void updateCaBundle(String bundlePem) {
    updateCaBundle(bundlePem, 1);
  }

  private void updateCaBundle(String bundlePem, int attempt) {
    String bundle = b64(bundlePem);
    var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(settings.webhookConfigName());
    MutatingWebhookConfiguration config = resource.get();
    if (config == null) {
      LOG.warn("no MutatingWebhookConfiguration {}: the API server does not call the webhook",
          settings.webhookConfigName());
      return;
    }
    if (config.getWebhooks().stream().allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle()))) {
      return;
    }
    for (MutatingWebhook w : config.getWebhooks()) {
      w.getClientConfig().setCaBundle(bundle);
    }
    try {
      // resourceVersion-locked: a concurrent change (another replica) fails this write
      client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(config).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 || attempt >= 3) {
        throw e;
      }
      updateCaBundle(bundlePem, attempt + 1); // read it again, with the other replica's change
      return;
    }
    LOG.info("updated the caBundle of MutatingWebhookConfiguration {}", settings.webhookConfigName());
  }

  private static WebhookCertificate material(Secret secret) {
    String ca = text(secret, CA);
    String cert = text(secret, CERT);
    String key = text(secret, KEY);
    return ca == null || cert == null || key == null ? null : new WebhookCertificate(ca, cert, key);
  }

  private static String text(Secret secret, String key) {
    if (secret == null || secret.getData() == null || secret.getData().get(key) == null) {
      return null;
    }
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
