package io.kulp.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateRotationTest {
  private static final List<String> NAMES = List.of("kulp-webhook.kulp-system.svc", "kulp-webhook");
  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void aGeneratedCertificateIsSignedByItsCaNamesTheServiceAndItsKeyReads() throws Exception {
    WebhookCertificate c = WebhookCertificate.generate(NAMES, NOW, Duration.ofDays(90));

    X509Certificate cert = WebhookCertificate.certificates(c.certPem()).get(0);
    X509Certificate ca = WebhookCertificate.certificates(c.caPem()).get(0);
    cert.verify(ca.getPublicKey());
    assertThat(cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
        .contains("kulp-webhook.kulp-system.svc", "kulp-webhook", "127.0.0.1");
    assertThat(ca.getBasicConstraints()).isZero();
    assertThat(WebhookCertificate.privateKey(c.keyPem()).getAlgorithm()).isEqualTo("EC");
    assertThat(CertificateRotation.whyRenew(c, NAMES, NOW)).isEmpty();
  }

  @Test
  void aCertificateIsRenewedOnceTwoThirdsOfItsLifeHavePassed() {
    WebhookCertificate c = WebhookCertificate.generate(NAMES, NOW, Duration.ofDays(89));
    // valid from NOW - 1 h to NOW + 89 d (2137 h): two thirds of that is 1424 h 40 min
    Instant due = NOW.minus(Duration.ofHours(1)).plus(Duration.ofDays(59)).plus(Duration.ofHours(8)).plus(Duration.ofMinutes(40));

    assertThat(CertificateRotation.whyRenew(c, NAMES, due.minus(Duration.ofMinutes(5)))).isEmpty();
    assertThat(CertificateRotation.whyRenew(c, NAMES, due)).get().asString().startsWith("two thirds of its life");
  }

  @Test
  void missingDamagedForeignOrMisnamedMaterialIsRenewed() {
    WebhookCertificate a = WebhookCertificate.generate(NAMES, NOW, Duration.ofDays(90));
    WebhookCertificate b = WebhookCertificate.generate(NAMES, NOW, Duration.ofDays(90));

    assertThat(CertificateRotation.whyRenew(null, NAMES, NOW)).contains("no certificate is stored");
    assertThat(CertificateRotation.whyRenew(new WebhookCertificate(a.caPem(), "garbage", a.keyPem()), NAMES, NOW))
        .get().asString().startsWith("the Secret cannot be read");
    assertThat(CertificateRotation.whyRenew(new WebhookCertificate(b.caPem(), a.certPem(), a.keyPem()), NAMES, NOW))
        .contains("the certificate is not signed by the stored CA");
    assertThat(CertificateRotation.whyRenew(a, List.of("kulp-webhook.other.svc"), NOW))
        .contains("the certificate does not name kulp-webhook.other.svc");
  }

  @Test
  void theCaBundleKeepsThePreviousCaUntilItExpires() {
    WebhookCertificate old = WebhookCertificate.generate(NAMES, NOW, Duration.ofDays(30));
    WebhookCertificate fresh = WebhookCertificate.generate(NAMES, NOW.plus(Duration.ofDays(20)), Duration.ofDays(30));

    String during = CertificateRotation.caBundle(fresh.caPem(), old.caPem(), NOW.plus(Duration.ofDays(21)));
    String after = CertificateRotation.caBundle(fresh.caPem(), old.caPem(), NOW.plus(Duration.ofDays(31)));

    assertThat(WebhookCertificate.certificates(during)).hasSize(2);
    assertThat(during).startsWith(fresh.caPem()).contains(old.caPem());
    assertThat(after).isEqualTo(fresh.caPem());
    assertThat(CertificateRotation.caBundle(fresh.caPem(), fresh.caPem(), NOW)).isEqualTo(fresh.caPem());
    assertThat(CertificateRotation.caBundle(fresh.caPem(), null, NOW)).isEqualTo(fresh.caPem());
  }
}
