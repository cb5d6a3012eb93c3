package io.kulp.agent.work;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one worker thread. Work is keyed by LivePatchNode name; a name already waiting is
 * not queued twice, and a name is taken off the queue before its work starts, so an event that
 * arrives during the work queues it again. A failed pass is retried after {@link #RETRY}. Every
 * task's start and end go to a {@link WorkerProgress}, which /healthz reads.
 */
public final class WorkQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  static final Duration RETRY = Duration.ofSeconds(5);

  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kulp-agent-worker");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Consumer<String> handler;
  private final WorkerProgress progress;

  public WorkQueue(Consumer<String> handler, WorkerProgress progress) {
    this.handler = handler;
    this.progress = progress;
  }

  public void enqueue(String name) {
    if (pending.add(name) && !worker.isShutdown()) {
      worker.execute(tracked(() -> {
        pending.remove(name);
        try {
          handler.accept(name);
        } catch (RuntimeException e) {
          LOG.atError().addKeyValue("livePatchNode", name).setCause(e).log("pass failed; retrying in " + RETRY);
          worker.schedule(() -> enqueue(name), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
      }));
    }
  }

  /** Runs {@code task} on the worker after everything queued so far. */
  public void then(Runnable task) {
    worker.execute(tracked(task));
  }

  /** Runs {@code task} on the worker every {@code period}. */
  public void every(Duration period, Runnable task) {
    worker.scheduleWithFixedDelay(tracked(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.atError().setCause(e).log("periodic task failed");
      }
    }), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Runnable tracked(Runnable task) {
    return () -> {
      progress.started();
      try {
        task.run();
      } finally {
        progress.finished();
      }
    };
  }

  public boolean alive() {
    return !worker.isShutdown();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
