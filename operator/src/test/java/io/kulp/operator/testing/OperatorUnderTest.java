package io.kulp.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.OperatorSettings;
import java.time.Clock;

/**
 * Starts the operator exactly as main does, minus leader election, on loopback, in the namespace
 * deploy/ runs it in (the cluster creates it).
 */
public final class OperatorUnderTest {

  /** The operator's namespace, as in deploy/ (not {@code default}, where its Events go). */
  public static final String NAMESPACE = "kulp-system";

  private OperatorUnderTest() {}

  public static KulpOperatorApp start(KubernetesClient client) {
    return KulpOperatorApp.start(client,
        settings(false, "test-operator"), Clock.systemUTC());
  }

  /** The same, the reconciler seeing its pod, namespace and node caches through {@code lag}. */
  public static KulpOperatorApp start(KubernetesClient client, LaggingCaches lag) {
    return KulpOperatorApp.start(client, settings(false, "test-operator"), Clock.systemUTC(),
        lag::wrap);
  }

  /** Settings for an in-process operator: loopback, any port, never exiting the JVM. */
  public static OperatorSettings settings(boolean leaderElection, String identity) {
    return new OperatorSettings(NAMESPACE, leaderElection, "kulp-operator", identity, false, 0,
        "127.0.0.1");
  }
}
