package io.kulp.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.OperatorSettings;
import java.time.Clock;

/** Starts the operator exactly as main does, minus leader election, on loopback. */
public final class OperatorUnderTest {

  private OperatorUnderTest() {}

  public static KulpOperatorApp start(KubernetesClient client) {
    return KulpOperatorApp.start(client,
        new OperatorSettings("default", false, "kulp-operator", 0, "127.0.0.1"), Clock.systemUTC());
  }
}
