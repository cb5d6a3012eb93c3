package io.kulp.agent.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.agent.work.StatusSink;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of this agent's LivePatchNode statuses. Reports are queued by name, and a newer
 * report of the same object replaces one not yet written, so a burst of progress collapses into
 * one write; the thread waits {@link #BATCH_WINDOW} after the first report of a burst to collect
 * the rest. Each write is a server-side apply of the status subresource with field manager
 * {@code kulp-agent}, with {@code metadata.uid} as a precondition (a LivePatchNode deleted and
 * recreated under the same name never gets an old report). Conflicts and server or network errors
 * are retried with backoff, as long as no newer report superseded the one that failed; a
 * LivePatchNode that is gone is dropped.
 */
public final class StatusWriter implements StatusSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
  static final Duration BATCH_WINDOW = Duration.ofMillis(100);
  static final int ATTEMPTS = 6;

  private record Report(String uid, LivePatchNodeStatus status) {}

  private final KubernetesClient client;
  private final AgentMetrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Report> pending = new LinkedHashMap<>();
  private final Thread thread;
  private volatile boolean closed;
  private int inFlight;

  public StatusWriter(KubernetesClient client, AgentMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
    this.thread = new Thread(this::run, "kulp-agent-status");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  @Override
  public void submit(String name, String uid, LivePatchNodeStatus status) {
    lock.lock();
    try {
      pending.put(name, new Report(uid, status));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every report submitted so far was written (or given up); for orderly shutdown. */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!pending.isEmpty() || inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (!closed) {
      Map<String, Report> batch;
      lock.lock();
      try {
        while (pending.isEmpty() && !closed) {
          changed.await();
        }
        changed.await(BATCH_WINDOW.toMillis(), TimeUnit.MILLISECONDS); // gather the rest of a burst
        batch = new LinkedHashMap<>(pending);
        pending.clear();
        inFlight = batch.size();
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      List<String> names = new ArrayList<>(batch.keySet());
      for (String name : names) {
        writeWithRetries(name, batch.get(name));
      }
      lock.lock();
      try {
        inFlight = 0;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void writeWithRetries(String name, Report report) {
    long backoff = 200;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        write(name, report);
        metrics.statusWrite("ok");
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          metrics.statusWrite("gone");
          return;
        }
        metrics.statusWrite(e.getCode() == 409 ? "conflict" : "error");
        LOG.atWarn().addKeyValue("livePatchNode", name).addKeyValue("attempt", attempt)
            .addKeyValue("code", e.getCode()).log("status write failed: " + e.getMessage());
      }
      if (superseded(name) || closed) {
        return;
      }
      try {
        Thread.sleep(backoff); // backoff between attempts of a failed write
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(backoff * 2, 5_000);
    }
    LOG.atError().addKeyValue("livePatchNode", name).log("status write given up after " + ATTEMPTS + " attempts");
  }

  private boolean superseded(String name) {
    lock.lock();
    try {
      return pending.containsKey(name);
    } finally {
      lock.unlock();
    }
  }

  private void write(String name, Report report) {
    // Only what the agent owns: the status (and name and uid to address it), never spec fields.
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("apiVersion", KulpConstants.GROUP + "/" + KulpConstants.VERSION);
    body.put("kind", "LivePatchNode");
    body.put("metadata", Map.of("name", name, "uid", report.uid()));
    body.put("status", report.status());
    String json = Serialization.asJson(body);
    client.resources(LivePatchNode.class).withName(name).subresource("status").patch(
        new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(KulpConstants.FIELD_MANAGER_AGENT).withForce(true).build(), json);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
