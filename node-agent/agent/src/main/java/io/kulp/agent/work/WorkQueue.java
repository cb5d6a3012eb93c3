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
 * arrives during the work queues it again. A failed pass is retried after {@link #RETRY}.
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

  public WorkQueue(Consumer<String> handler) {
    this.handler = handler;
  }

  public void enqueue(String name) {
    if (pending.add(name) && !worker.isShutdown()) {
      worker.execute(() -> {
        pending.remove(name);
        try {
          handler.accept(name);
        } catch (RuntimeException e) {
          LOG.atError().addKeyValue("livePatchNode", name).setCause(e).log("pass failed; retrying in " + RETRY);
          worker.schedule(() -> enqueue(name), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
      });
    }
  }

  /** Runs {@code task} on the worker after everything queued so far. */
  public void then(Runnable task) {
    worker.execute(task);
  }

  /** Runs {@code task} on the worker every {@code period}. */
  public void every(Duration period, Runnable task) {
    worker.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.atError().setCause(e).log("periodic task failed");
      }
    }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean alive() {
    return !worker.isShutdown();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
