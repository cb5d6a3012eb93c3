package io.kulp.operator.livepatch;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a batch of blocking calls (LivePatchNode writes) at most {@code width} at a time, shared by
 * every reconcile of one reconciler, and waits for the whole batch. A rollout step of thousands of
 * nodes is that many requests to the API server, each a round trip of a few ms: one after another
 * they take as long as their sum; {@code width} at a time, about what the API server gives that
 * many clients. Its threads end when idle, so an idle operator holds none.
 */
final class BoundedFanOut {

  private static final long IDLE_SECONDS = 30;

  private final ExecutorService pool;

  BoundedFanOut(int width, String threadName) {
    var executor = new ThreadPoolExecutor(width, width, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemonThreads(threadName));
    executor.allowCoreThreadTimeOut(true);
    this.pool = executor;
  }

  /**
   * Runs every call of {@code calls} and returns once all have ended. When some failed, rethrows
   * the first failure (a RuntimeException or Error as thrown) after the others have ended: the
   * caller's next attempt starts from what did get written.
   */
  void runAll(List<Runnable> calls) {
    if (calls.size() == 1) {
      calls.get(0).run(); // nothing to overlap: no hand-off
      return;
    }
    // Counted by a latch rather than futures: a future cancelled while its call runs reports
    // "done" at once, and the calls in flight use the caller's objects.
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch ended = new CountDownLatch(calls.size());
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    for (Runnable call : calls) {
      pool.execute(() -> {
        try {
          if (!stop.get()) {
            call.run();
          }
        } catch (RuntimeException | Error e) {
          failures.add(e);
        } finally {
          ended.countDown();
        }
      });
    }
    boolean interrupted = false;
    while (true) {
      try {
        ended.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // those not started yet do not start; the others are waited for
        stop.set(true);
      }
    }
    Throwable first = failures.peek();
    if (first == null && interrupted) {
      first = new InterruptedException("interrupted while writing");
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof Error err) {
      throw err;
    }
    if (first != null) {
      throw new CompletionException(first);
    }
  }

  /** Daemon threads named {@code name-1}, {@code name-2}, ...: they never keep the JVM alive. */
  static ThreadFactory daemonThreads(String name) {
    var counter = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
