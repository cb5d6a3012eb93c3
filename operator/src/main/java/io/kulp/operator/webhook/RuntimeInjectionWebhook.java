package io.kulp.operator.webhook;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime-injection webhook as it runs in every operator replica (not only the leader: the
 * API server may call any of them): its certificate from the Secret, refreshed every
 * {@link WebhookSettings#refresh()}, and its HTTPS server.
 */
public final class RuntimeInjectionWebhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeInjectionWebhook.class);

  private final WebhookServer server;
  private final ScheduledExecutorService refresher;
  private final WebhookTls tls;

  /** How often a replica that serves no certificate yet tries again. */
  private static final long UNTIL_SERVING_MILLIS = 3_000;

  private RuntimeInjectionWebhook(WebhookServer server, ScheduledExecutorService refresher, WebhookTls tls) {
    this.server = server;
    this.refresher = refresher;
    this.tls = tls;
  }

  public static RuntimeInjectionWebhook start(KubernetesClient client, WebhookSettings settings, Clock clock) {
    var keys = new ReloadingKeyManager();
    var tls = new WebhookTls(client, settings, keys, clock);
    refreshQuietly(tls);
    var injector = new PodInjector(new InjectionPolicy(settings.kulpNamespaces()), settings.runtimeImage());
    var handler = new InjectionHandler(injector, ns -> {
      Namespace namespace = client.namespaces().withName(ns).get();
      return namespace == null ? Map.of() : namespace.getMetadata().getLabels();
    });
    var server = WebhookServer.start(settings.bindAddress(), settings.port(), keys, new AdmissionController<>(handler));
    ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kulp-webhook-tls");
      t.setDaemon(true);
      return t;
    });
    long period = settings.refresh().toMillis();
    refresher.scheduleWithFixedDelay(() -> refreshQuietly(tls), period, period, TimeUnit.MILLISECONDS);
    // Until it serves a certificate (a first pass that failed, a Secret not written yet), a replica
    // tries again every few seconds rather than wait for the next refresh.
    refresher.scheduleWithFixedDelay(() -> {
      if (!keys.ready()) {
        refreshQuietly(tls);
      }
    }, UNTIL_SERVING_MILLIS, UNTIL_SERVING_MILLIS, TimeUnit.MILLISECONDS);
    LOG.info("runtime-injection webhook listening on {}:{}{}", settings.bindAddress(), server.port(),
        WebhookSettings.PATH);
    return new RuntimeInjectionWebhook(server, refresher, tls);
  }

  private static void refreshQuietly(WebhookTls tls) {
    try {
      tls.refresh();
    } catch (RuntimeException e) {
      LOG.warn("cannot refresh the webhook's certificate (tried again soon): {}", e.toString());
    }
  }

  /** The port the webhook listens on. */
  public int port() {
    return server.port();
  }

  /** Runs a certificate pass now (tests). */
  boolean refreshNow() {
    return tls.refresh();
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    server.close();
  }
}
