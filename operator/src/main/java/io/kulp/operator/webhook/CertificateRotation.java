package io.kulp.operator.webhook;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * When kulp replaces its webhook certificate, and which CAs the API server must trust meanwhile.
 * A certificate is replaced once two thirds of its life have passed, so that a replica that reads
 * the Secret only every so often still switches long before the old one expires. The previous CA
 * stays in the {@code caBundle} until it expires: a replica still serving the old certificate is
 * trusted as much as one serving the new.
 */
final class CertificateRotation {

  private CertificateRotation() {}

  /** Why {@code stored} must be replaced (empty: keep it). */
  static Optional<String> whyRenew(WebhookCertificate stored, List<String> dnsNames, Instant now) {
    if (stored == null || stored.certPem() == null || stored.keyPem() == null || stored.caPem() == null) {
      return Optional.of("no certificate is stored");
    }
    try {
      List<X509Certificate> certs = WebhookCertificate.certificates(stored.certPem());
      List<X509Certificate> cas = WebhookCertificate.certificates(stored.caPem());
      if (certs.isEmpty() || cas.isEmpty()) {
        return Optional.of("the Secret holds no certificate or no CA");
      }
      X509Certificate cert = certs.get(0);
      WebhookCertificate.privateKey(stored.keyPem());
      if (!signedByOneOf(cert, cas)) {
        return Optional.of("the certificate is not signed by the stored CA");
      }
      List<String> missing = new ArrayList<>(dnsNames);
      missing.removeAll(dnsNamesOf(cert));
      if (!missing.isEmpty()) {
        return Optional.of("the certificate does not name " + String.join(", ", missing));
      }
      Instant from = cert.getNotBefore().toInstant();
      Instant until = cert.getNotAfter().toInstant();
      Instant due = from.plus(Duration.between(from, until).multipliedBy(2).dividedBy(3));
      if (!now.isBefore(due)) {
        return Optional.of("two thirds of its life have passed (valid until " + until + ")");
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of("the Secret cannot be read: " + e.getMessage());
    }
  }

  /** The PEM the API server trusts: {@code caPem}, then {@code previousCaPem}'s certificates not yet expired. */
  static String caBundle(String caPem, String previousCaPem, Instant now) {
    StringBuilder bundle = new StringBuilder(caPem);
    for (X509Certificate previous : certificatesOrNone(previousCaPem)) {
      if (previous.getNotAfter().toInstant().isAfter(now) && !caPem.contains(pemOf(previous))) {
        bundle.append(pemOf(previous));
      }
    }
    return bundle.toString();
  }

  private static List<X509Certificate> certificatesOrNone(String pem) {
    try {
      return WebhookCertificate.certificates(pem);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  private static String pemOf(X509Certificate cert) {
    try {
      return WebhookCertificate.pem("CERTIFICATE", cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static boolean signedByOneOf(X509Certificate cert, List<X509Certificate> cas) {
    for (X509Certificate ca : cas) {
      try {
        cert.verify(ca.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // not this one
      }
    }
    return false;
  }

  private static List<String> dnsNamesOf(X509Certificate cert) {
    try {
      Collection<List<?>> names = cert.getSubjectAlternativeNames();
      if (names == null) {
        return List.of();
      }
      return names.stream().filter(n -> Integer.valueOf(2).equals(n.get(0))).map(n -> (String) n.get(1)).toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }
}
