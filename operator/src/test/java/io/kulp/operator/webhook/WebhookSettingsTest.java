package io.kulp.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {
  @Test
  void theWebhookIsOffWithoutARuntimeImage() {
    assertThat(WebhookSettings.fromEnv(Map.of())).isEmpty();
    assertThat(WebhookSettings.fromEnv(Map.of("KULP_RUNTIME_IMAGE", " "))).isEmpty();
  }

  @Test
  void defaultsSuitTheDeployment() {
    WebhookSettings s = WebhookSettings.fromEnv(Map.of("KULP_RUNTIME_IMAGE", "r:1", "KULP_OPERATOR_NAMESPACE",
        "kulp-system")).orElseThrow();

    assertThat(s.port()).isEqualTo(8443);
    assertThat(s.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(s.managedTls()).isTrue();
    assertThat(s.kulpNamespaces()).containsExactlyInAnyOrder("kulp-system", "kulp-patches");
    assertThat(s.dnsNames()).contains("kulp-webhook.kulp-system.svc");
  }

  @Test
  void anotherNamespaceIsNeverInjectedEitherAndCertManagerMayOwnTheCertificate() {
    WebhookSettings s = WebhookSettings.fromEnv(Map.of("KULP_RUNTIME_IMAGE", "r:1", "KULP_OPERATOR_NAMESPACE", "ops",
        "KULP_WEBHOOK_TLS", "external", "KULP_WEBHOOK_PORT", "9443", "KULP_HTTP_BIND_ADDRESS", "127.0.0.1"))
        .orElseThrow();

    assertThat(s.kulpNamespaces()).containsExactlyInAnyOrder("ops", "kulp-system", "kulp-patches");
    assertThat(s.managedTls()).isFalse();
    assertThat(s.port()).isEqualTo(9443);
    assertThat(s.bindAddress()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> WebhookSettings.fromEnv(Map.of("KULP_RUNTIME_IMAGE", "r:1", "KULP_WEBHOOK_TLS", "x")))
        .hasMessageContaining("KULP_WEBHOOK_TLS");
  }
}
