package io.kulp.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The threads that work on many processes at once, each process wholly on one thread (ptrace
 * requires every request for a tracee to come from the thread that seized it). The ulp CLI and the
 * node agent each make one, sized by their own setting.
 */
public final class ProcessPool implements AutoCloseable {
  private final ExecutorService threads;

  /**
   * @param name the threads' name prefix
   * @param parallelism how many processes are worked on at once
   */
  public ProcessPool(String name, int parallelism) {
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The default parallelism: four processes per CPU, at least four (most of the time is waiting). */
  public static int defaultParallelism() {
    return Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Applies {@code work} to every item in parallel; the results in the items' order. Returns the
   * results so far if interrupted (the thread's interrupt flag is then set).
   */
  public <T, R> List<R> map(Collection<T> items, Function<T, R> work) {
    List<Future<R>> futures = new ArrayList<>();
    for (T item : items) {
      futures.add(threads.submit(() -> work.apply(item)));
    }
    List<R> results = new ArrayList<>();
    for (Future<R> f : futures) {
      try {
        results.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(rest -> rest.cancel(true));
        break;
      } catch (ExecutionException e) {
        throw new IllegalStateException("process worker failed", e.getCause());
      }
    }
    return results;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
