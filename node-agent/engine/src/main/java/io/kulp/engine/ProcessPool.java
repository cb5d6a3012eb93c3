package io.kulp.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The threads that work on many processes at once: each item (a process, a container) wholly on
 * one thread, as ptrace requires, at most {@code parallelism} at once, and each for at most
 * {@code deadline}. The ulp CLI and the node agent each make one, sized by their own setting. An item whose work overruns is given up: the pass gets a report saying so and
 * goes on, and the thread is left to end on its own (it is interrupted; an engine stuck in a
 * system call may not notice), no longer counted against the parallelism. So a process that hangs
 * the engine costs one thread, not the agent's progress. While such a thread still works on an
 * item, the same item (by key) is not started again; and once {@link #MAX_ABANDONED_PER_THREAD}
 * times {@code parallelism} threads are left working, no item is started at all ({@link #saturated},
 * which fails /healthz: a restart ends them).
 */
public final class ProcessPool implements AutoCloseable {
  /** Threads left working on given-up items, per unit of parallelism, beyond which nothing starts. */
  static final int MAX_ABANDONED_PER_THREAD = 4;

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int ABANDONED = 2;

  private final ExecutorService threads;
  private final int parallelism;
  private final Duration deadline;
  private final Runnable onSettled;
  private final Set<Object> abandoned = ConcurrentHashMap.newKeySet();

  /**
   * @param name the threads' name prefix
   * @param parallelism how many items are worked on at once
   * @param deadline the longest the pool waits for one item
   * @param settled called each time an item is settled, done or given up (the agent's liveness)
   */
  public ProcessPool(String name, int parallelism, Duration deadline, Runnable settled) {
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.parallelism = parallelism;
    this.deadline = deadline;
    this.onSettled = settled;
  }

  /** A pool without a deadline per item: the engine bounds each of its own operations in time. */
  public ProcessPool(String name, int parallelism) {
    this(name, parallelism, Duration.ofDays(365), () -> { });
  }

  /** The default parallelism: four processes per CPU, at least four (most of the time is waiting). */
  public static int defaultParallelism() {
    return Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
  }

  /** The deadline, as reports say it: "60 s", "300 ms". */
  String deadlineText() {
    return deadline.toMillis() % 1000 == 0 ? deadline.toSeconds() + " s" : deadline.toMillis() + " ms";
  }

  /** Threads still working on items that were given up. */
  public int abandoned() {
    return abandoned.size();
  }

  /** Too many threads are left working on given-up items for any item to start. */
  public boolean saturated() {
    return abandoned.size() >= MAX_ABANDONED_PER_THREAD * parallelism;
  }

  /** One item's work, as the pool follows it. */
  private static final class Slot<R> {
    final Object key;
    final AtomicInteger state = new AtomicInteger(RUNNING);
    final long startNanos = System.nanoTime();
    volatile Future<?> future;
    volatile R result;
    volatile RuntimeException failure;

    Slot(Object key) {
      this.key = key;
    }

    /** Gives the work up unless it ended: its key stays taken until its thread ends. */
    boolean abandon(Set<Object> abandoned) {
      abandoned.add(key);
      if (state.compareAndSet(RUNNING, ABANDONED)) {
        future.cancel(true);
        return true;
      }
      abandoned.remove(key); // it ended just now
      return false;
    }
  }

  /**
   * Applies {@code work} to every item; the results in the items' order. An item not worked on to
   * its end gets {@code unfinished}'s result for it and why: it timed out, or an earlier pass's
   * thread still works on it (same {@code key}), or too many threads are stuck. Returns the
   * results so far (null for the rest) if interrupted, with the interrupt flag set.
   *
   * @throws IllegalStateException when the work of an item threw
   */
  public <T, R> List<R> map(List<T> items, Function<T, ?> key, Function<T, R> work,
      BiFunction<T, String, R> unfinished) {
    int n = items.size();
    List<R> results = new ArrayList<>(Collections.nCopies(n, null));
    BlockingQueue<Integer> finished = new LinkedBlockingQueue<>();
    Map<Integer, Slot<R>> running = new HashMap<>();
    long deadlineNanos = deadline.toNanos();
    int next = 0;
    int settled = 0;
    try {
      while (settled < n) {
        while (running.size() < parallelism && next < n) {
          int i = next++;
          T item = items.get(i);
          Object k = key.apply(item);
          if (abandoned.contains(k)) {
            results.set(i, unfinished.apply(item, "not started: the work of an earlier pass on it timed out and has not"
                + " ended yet"));
            settled++;
          } else if (saturated()) {
            results.set(i, unfinished.apply(item, "not started: the work on " + abandoned.size()
                + " earlier items timed out and has not ended (the agent restarts when /healthz fails)"));
            settled++;
          } else {
            running.put(i, start(i, k, item, work, finished));
          }
        }
        if (running.isEmpty()) {
          continue;
        }
        long wait = running.values().stream().mapToLong(s -> s.startNanos + deadlineNanos).min().getAsLong()
            - System.nanoTime();
        Integer done = finished.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
        if (done != null) {
          Slot<R> slot = running.remove(done);
          if (slot != null) {
            if (slot.failure != null) {
              throw new IllegalStateException("process worker failed", slot.failure);
            }
            results.set(done, slot.result);
            settled++;
            onSettled.run();
          }
          continue;
        }
        long now = System.nanoTime();
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
          Map.Entry<Integer, Slot<R>> e = it.next();
          Slot<R> slot = e.getValue();
          if (now - slot.startNanos < deadlineNanos) {
            continue;
          }
          T item = items.get(e.getKey());
          if (slot.abandon(abandoned)) {
            results.set(e.getKey(), unfinished.apply(item, "timed out after " + deadlineText()));
          } else {
            if (slot.failure != null) {
              throw new IllegalStateException("process worker failed", slot.failure);
            }
            results.set(e.getKey(), slot.result);
          }
          it.remove();
          settled++;
          onSettled.run();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.values().forEach(s -> s.abandon(abandoned));
    }
    return results;
  }

  /** {@code work} on every item, in the items' order, for a pool without a deadline. */
  public <T, R> List<R> map(Collection<T> items, Function<T, R> work) {
    return map(List.copyOf(items), item -> new Object(), work, (item, why) -> {
      throw new IllegalStateException(item + ": " + why);
    });
  }

  private <T, R> Slot<R> start(int i, Object key, T item, Function<T, R> work, BlockingQueue<Integer> finished) {
    Slot<R> slot = new Slot<>(key);
    slot.future = threads.submit(() -> {
      try {
        slot.result = work.apply(item);
      } catch (RuntimeException e) {
        slot.failure = e;
      } finally {
        if (!slot.state.compareAndSet(RUNNING, DONE)) {
          abandoned.remove(key); // given up earlier: the item may be worked on again
        }
        finished.add(i);
      }
    });
    return slot;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
