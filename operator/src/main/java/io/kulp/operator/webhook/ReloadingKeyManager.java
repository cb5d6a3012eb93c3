package io.kulp.operator.webhook;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The serving certificate of the webhook's HTTPS server, replaceable while it runs: each new TLS
 * handshake takes the certificate last {@link #load loaded}.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

  private final AtomicReference<X509ExtendedKeyManager> current = new AtomicReference<>();
  private final AtomicReference<String> loadedPem = new AtomicReference<>();

  /** Serves {@code material}'s certificate from the next handshake on; false if it was loaded already. */
  boolean load(WebhookCertificate material) {
    if (material.certPem().equals(loadedPem.get())) {
      return false;
    }
    try {
      PrivateKey key = WebhookCertificate.privateKey(material.keyPem());
      X509Certificate[] chain = WebhookCertificate.certificates(material.certPem()).toArray(X509Certificate[]::new);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("webhook", key, new char[0], chain);
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, new char[0]);
      current.set((X509ExtendedKeyManager) factory.getKeyManagers()[0]);
      loadedPem.set(material.certPem());
      return true;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("cannot use the webhook's certificate: " + e.getMessage(), e);
    }
  }

  /** Whether a certificate was loaded. */
  boolean ready() {
    return current.get() != null;
  }

  private X509ExtendedKeyManager delegate() {
    X509ExtendedKeyManager d = current.get();
    if (d == null) {
      throw new IllegalStateException("no webhook certificate loaded yet");
    }
    return d;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate().getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate().chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate().getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate().getPrivateKey(alias);
  }
}
