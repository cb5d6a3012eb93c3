package io.kulp.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.kulp.operator.livepatch.ClusterCaches;
import io.kulp.operator.livepatch.EventRecorder;
import io.kulp.operator.livepatch.LivePatchReconciler;
import io.kulp.operator.livepatch.UninstallGuard;
import io.kulp.ops.OpsHttpServer;
import io.javaoperatorsdk.operator.processing.Controller;
import io.kulp.api.v1alpha1.LivePatch;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/** The running operator: JOSDK with the LivePatch reconciler, metrics and ops endpoints. */
public final class KulpOperatorApp implements AutoCloseable {

  private final Operator operator;
  private final OpsHttpServer http;

  private KulpOperatorApp(Operator operator, OpsHttpServer http) {
    this.operator = operator;
    this.http = http;
  }

  /** Starts reconciling (once leader, if leader election is on) and serving the endpoints. */
  public static KulpOperatorApp start(KubernetesClient client, OperatorSettings settings,
      Clock clock) {
    return start(client, settings, clock, UnaryOperator.identity());
  }

  /**
   * As {@link #start(KubernetesClient, OperatorSettings, Clock)}, the reconciler seeing its pod,
   * namespace and node caches through {@code cachesView} (tests make them lag).
   */
  public static KulpOperatorApp start(KubernetesClient client, OperatorSettings settings,
      Clock clock, UnaryOperator<ClusterCaches> cachesView) {
    var metrics = new PrometheusRegistry();
    JvmMetrics.builder().register(metrics);
    // JOSDK's metrics (Micrometer) go to the same registry
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, metrics, io.micrometer.core.instrument.Clock.SYSTEM);
    // a standby's caches hold the LivePatches too: only the leader reports on them
    var leading = new AtomicBoolean(!settings.leaderElection());
    var operator = new Operator(o -> {
      o.withKubernetesClient(client).withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(settings.leaseName(),
            settings.namespace(), Duration.ofSeconds(15), Duration.ofSeconds(10),
            Duration.ofSeconds(2), settings.identity(),
            new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), leader -> { }),
            settings.exitWhenNoLongerLeader()));
      }
    });
    var controller = (Controller<LivePatch>) operator.register(
        new LivePatchReconciler(clock, new EventRecorder(client, clock), settings.namespace(), cachesView,
            UninstallGuard.of(client)));
    LivePatchMetrics.register(metrics,
        () -> leading.get() ? controller.getEventSourceManager().getControllerEventSource().list().toList() : List.of());
    operator.start();
    var runtime = operator.getRuntimeInfo();
    var http = OpsHttpServer.start(settings.bindAddress(), settings.httpPort(), Map.of(
        "/startup", runtime::isStarted, // the operator has started
        "/healthz", runtime::allEventSourcesAreHealthy), // every informer is healthy
        metrics);
    return new KulpOperatorApp(operator, http);
  }

  /** The port the ops endpoints listen on. */
  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
    operator.stop();
  }
}
