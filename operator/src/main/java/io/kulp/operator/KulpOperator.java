package io.kulp.operator;

import io.kulp.api.KubeClients;
import io.kulp.operator.webhook.RuntimeInjectionWebhook;
import io.kulp.operator.webhook.WebhookSettings;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the kulp operator. Configuration comes from the environment (see
 * {@link OperatorSettings}); the cluster connection from the usual kubeconfig or in-cluster
 * service account.
 */
public final class KulpOperator {
  private static final Logger LOG = LoggerFactory.getLogger(KulpOperator.class);

  private KulpOperator() {}

  public static void main(String[] args) throws InterruptedException {
    var settings = OperatorSettings.fromEnv(System.getenv());
    var webhookSettings = WebhookSettings.fromEnv(System.getenv());
    var client = KubeClients.fromEnvironment();
    KulpOperatorApp app;
    Optional<RuntimeInjectionWebhook> webhook;
    try {
      app = KulpOperatorApp.start(client, settings, Clock.systemUTC());
      webhook = webhookSettings.map(w -> RuntimeInjectionWebhook.start(client, w, Clock.systemUTC()));
    } catch (RuntimeException | Error e) {
      // The threads already started (informers, /startup and /healthz) would keep a half-started
      // operator running and its pod Ready: exit, so that the kubelet restarts it.
      LOG.error("the operator did not start", e);
      System.exit(1);
      return;
    }
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
