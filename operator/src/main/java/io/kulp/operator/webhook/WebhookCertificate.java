package io.kulp.operator.webhook;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's TLS material as the Secret holds it, in PEM: a CA of its own ({@code ca.crt}),
 * the serving certificate it signed ({@code tls.crt}) and that certificate's key ({@code tls.key}).
 * kulp generates the pair (ECDSA P-256); cert-manager may write the same three keys instead.
 */
record WebhookCertificate(String caPem, String certPem, String keyPem) {

  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Allowance for API servers whose clocks are behind: certificates are valid from this long ago
   * (a quarter of the validity for certificates shorter-lived than four hours, in tests).
   */
  static final Duration BACKDATE = Duration.ofHours(1);

  /** A new CA and a serving certificate for {@code dnsNames} (and 127.0.0.1), valid from now for {@code validity}. */
  static WebhookCertificate generate(List<String> dnsNames, Instant now, Duration validity) {
    try {
      KeyPair caKeys = keyPair();
      KeyPair serverKeys = keyPair();
      Duration backdate = validity.dividedBy(4).compareTo(BACKDATE) < 0 ? validity.dividedBy(4) : BACKDATE;
      Date from = Date.from(now.minus(backdate));
      Date until = Date.from(now.plus(validity));
      X500Name caName = new X500Name("CN=kulp-webhook-ca-" + now.getEpochSecond());
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), from, until, caName, caKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKeys.getPrivate());
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caName, serial(), from, until,
          new X500Name("CN=" + dnsNames.get(0)), serverKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      X509Certificate serverCert = sign(server, caKeys.getPrivate());
      return new WebhookCertificate(pem("CERTIFICATE", caCert.getEncoded()), pem("CERTIFICATE", serverCert.getEncoded()),
          pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the webhook's certificate", e);
    }
  }

  /** The certificates of a PEM text (none if it is null or holds none). */
  static List<X509Certificate> certificates(String pem) {
    if (pem == null || pem.isBlank()) {
      return List.of();
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
          .map(c -> (X509Certificate) c).toList();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** The private key of a PEM text: PKCS#8, or the PKCS#1/SEC1 forms cert-manager writes by default. */
  static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      var converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IllegalArgumentException("no private key in the PEM text");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
