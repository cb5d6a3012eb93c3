package io.kulp.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.agent.host.NativeContainerFiles;
import io.kulp.agent.kube.AgentLease;
import io.kulp.agent.kube.ClusterWatch;
import io.kulp.agent.kube.StatusWriter;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.agent.patch.KubernetesPatchBytes;
import io.kulp.agent.patch.PatchStore;
import io.kulp.agent.work.NodeReconciler;
import io.kulp.agent.work.WorkQueue;
import io.kulp.agent.work.WorkerProgress;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.engine.Engine;
import io.kulp.engine.ProcessPool;
import io.kulp.engine.PtraceEngine;
import io.kulp.host.HostContainerProcesses;
import io.kulp.ops.OpsHttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node agent: the watches, the worker, the engine, the status writer and the ops
 * endpoints, wired together. It holds no state that outlives it: on start every LivePatchNode of
 * the node is looked at again, and the processes' runtimes say what is applied.
 */
public final class AgentApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentApp.class);

  private final AgentLease lease;
  private final ClusterWatch watch;
  private final WorkQueue queue;
  private final StatusWriter writer;
  private final ProcessPool pool;
  private final Engine engine;
  private final OpsHttpServer http;

  private AgentApp(AgentLease lease, ClusterWatch watch, WorkQueue queue, StatusWriter writer, ProcessPool pool,
      Engine engine, OpsHttpServer http) {
    this.lease = lease;
    this.watch = watch;
    this.queue = queue;
    this.writer = writer;
    this.pool = pool;
    this.engine = engine;
    this.http = http;
  }

  public static AgentApp start(KubernetesClient client, AgentSettings settings, Clock clock) {
    AgentMetrics metrics = new AgentMetrics();
    AgentLease lease = new AgentLease(client, settings.namespace(), settings.nodeName(),
        settings.podName(), settings.leaseDuration(), clock);
    lease.start();
    Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withProcRoot(settings.host().proc())
        .withStepDelay(settings.debugStepDelay()));
    StatusWriter writer = new StatusWriter(client, metrics);
    WorkerProgress progress = new WorkerProgress(clock);
    ProcessPool pool = new ProcessPool("kulp-agent-patch", settings.parallelism(), NodeReconciler.PROCESS_DEADLINE,
        progress::progressed);
    ClusterWatch watch = new ClusterWatch(client, settings.nodeName());
    NodeReconciler reconciler = NodeReconciler.of(engine, new HostContainerProcesses(settings.host()), watch,
        new PatchStore(new KubernetesPatchBytes(client), settings.cacheDir()), new NativeContainerFiles(settings.host()),
        settings.stagingDirs(), pool, writer, metrics, clock);
    WorkQueue queue = new WorkQueue(name -> {
      LivePatchNode lpn = watch.livePatchNode(name);
      if (lpn == null) {
        reconciler.forget(name);
      } else {
        reconciler.reconcile(lpn);
      }
    }, progress);
    AtomicBoolean ready = new AtomicBoolean();
    OpsHttpServer http = OpsHttpServer.start(settings.bindAddress(), settings.httpPort(), Map.of(
        // the watches and the worker are alive, and the worker makes progress
        "/healthz", () -> queue.alive() && watch.watching() && !progress.stalled() && !pool.saturated(),
        // caches synced, first pass done, the Lease written: the operator sees this agent
        "/readyz", () -> ready.get() && watch.synced() && lease.lastRenewal() != null),
        metrics.registry());
    metrics.node(settings.nodeName(), watch::livePatchNodes);
    watch.start(queue::enqueue);
    queue.then(() -> {
      ready.set(true); // every LivePatchNode known at start has had its first pass
      LOG.atInfo().addKeyValue("node", settings.nodeName()).addKeyValue("livePatchNodes", watch.livePatchNodes().size())
          .log("first pass done");
    });
    queue.every(settings.rescan(), () -> watch.livePatchNodes().stream().filter(reconciler::wantsRescan)
        .forEach(lpn -> queue.enqueue(lpn.getMetadata().getName())));
    LOG.atInfo().addKeyValue("node", settings.nodeName()).addKeyValue("httpPort", http.port())
        .addKeyValue("stagingDirs", String.join(":", settings.stagingDirs())).log("kulp agent started");
    return new AgentApp(lease, watch, queue, writer, pool, engine, http);
  }

  /** The port of /healthz, /readyz and /metrics. */
  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() {
    lease.close();
    http.close();
    queue.close();
    try {
      writer.flush(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    watch.close();
    pool.close();
    engine.close();
  }
}
