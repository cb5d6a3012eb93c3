package io.kulp.operator;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kulp.operator.webhook.RuntimeInjectionWebhook;
import io.kulp.operator.webhook.WebhookSettings;
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
    var webhook = WebhookSettings.fromEnv(System.getenv())
        .map(w -> RuntimeInjectionWebhook.start(client, w, Clock.systemUTC()));
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      webhook.ifPresent(RuntimeInjectionWebhook::close);
      app.close();
      client.close();
      stopped.countDown();
    }, "kulp-operator-shutdown"));
    stopped.await();
  }
}
