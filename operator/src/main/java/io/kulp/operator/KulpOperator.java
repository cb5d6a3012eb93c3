package io.kulp.operator;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the kulp operator. Configuration comes from the environment (see
 * {@link OperatorSettings}); the cluster connection from the usual kubeconfig or in-cluster
 * service account.
 */
public final class KulpOperator {

  private KulpOperator() {}

  public static void main(String[] args) throws InterruptedException {
    var settings = OperatorSettings.fromEnv(System.getenv());
    var client = new KubernetesClientBuilder().build();
    var app = KulpOperatorApp.start(client, settings, Clock.systemUTC());
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      client.close();
      stopped.countDown();
    }, "kulp-operator-shutdown"));
    stopped.await();
  }
}
