package io.kulp.host;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a step on one process within a time limit, whatever that process does. A system call on a
 * file or the memory of a hostile process can block for good (a FUSE file system that never
 * answers, a page behind userfaultfd, a lock the process holds), and no Java interrupt ends a
 * blocked system call. So the step runs on a daemon thread of this class and the caller waits at
 * most the limit: past it, the caller gets an exception and the thread is left to finish when its
 * call returns (when the process or its file system goes away, at the latest).
 *
 * <p>Such abandoned threads are counted. Once {@link #MAX_ABANDONED} are still blocked, a new step
 * fails at once rather than add one more: a node full of hostile processes costs a bounded number
 * of threads, and each caller still gets an answer in time.
 *
 * <p>A step started from within a step (reading a file while reading a process) runs at once on
 * the same thread: the outer step's limit bounds it, and a hand-off (tens of microseconds) is
 * saved.
 */
public final class TimeLimit {
  /** Steps whose callers gave up and that have not returned yet, at most. */
  public static final int MAX_ABANDONED = 16;

  private static final TimeLimit SHARED = new TimeLimit(MAX_ABANDONED);
  /** Set on the threads that run steps, of every instance. */
  private static final ThreadLocal<Boolean> IN_STEP = ThreadLocal.withInitial(() -> false);
  private static final ThreadLocal<Boolean> RETIRE = ThreadLocal.withInitial(() -> false);

  /** Ends a pool thread that asked for it; not an error. */
  private static final class Retired extends RuntimeException {
    Retired() {
      super("retired", null, false, false);
    }
  }

  private final int maxAbandoned;
  private final ExecutorService threads;
  private final AtomicInteger abandoned = new AtomicInteger();

  /** Use {@link #shared()}; tests make their own, with a smaller {@code maxAbandoned}. */
  TimeLimit(int maxAbandoned) {
    this.maxAbandoned = maxAbandoned;
    AtomicInteger n = new AtomicInteger();
    // A cached pool whose thread ends after a step that asked for it (retireThisThread): an
    // exception from afterExecute ends the worker, after the step's result was handed over.
    this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "kulp-bounded-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((thread, e) -> {
        if (!(e instanceof Retired)) {
          thread.getThreadGroup().uncaughtException(thread, e);
        }
      });
      return t;
    }) {
      @Override
      protected void afterExecute(Runnable r, Throwable t) {
        if (RETIRE.get()) {
          RETIRE.remove();
          throw new Retired();
        }
      }
    };
  }

  /** The one instance of this JVM: the count of abandoned threads is a property of the JVM. */
  public static TimeLimit shared() {
    return SHARED;
  }

  /** A step that may block. */
  @FunctionalInterface
  public interface Step<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Asks that the thread running the current step end once the step has returned (its result is
   * handed over first): for ptrace tracees it could not let go, which the kernel lets go only when
   * their tracer thread ends (io.kulp.engine.HoldLoop). Outside a step, on a caller's own thread,
   * it does nothing: that thread's owner decides when it ends.
   */
  public static void retireThisThread() {
    if (IN_STEP.get()) {
      RETIRE.set(true);
    }
  }

  /** How many earlier steps were given up on and are still blocked. */
  public int abandoned() {
    return abandoned.get();
  }

  /**
   * Runs {@code step} and returns its result, or throws what it throws; when it has not returned
   * within {@code limit}, throws {@code exceeded.apply(why)} instead, {@code why} saying so in
   * words (for example "did not finish within 10 s"). The step then runs on unobserved: it must
   * leave nothing behind that its caller would need to undo.
   */
  @SuppressWarnings("unchecked")
  public <T, E extends Exception> T call(Duration limit, Step<T, E> step, Function<String, E> exceeded) throws E {
    if (IN_STEP.get()) {
      return step.run();
    }
    if (abandoned.get() >= maxAbandoned) {
      throw exceeded.apply("not tried: " + abandoned.get() + " earlier steps on processes are still blocked in the"
          + " kernel (a file system or a process that does not answer)");
    }
    AtomicBoolean givenUp = new AtomicBoolean();
    Future<T> result = threads.submit(() -> {
      IN_STEP.set(true);
      try {
        return step.run();
      } finally {
        IN_STEP.set(false);
        if (!givenUp.compareAndSet(false, true)) {
          abandoned.decrementAndGet(); // the caller gave up on this step earlier
        }
      }
    });
    try {
      return result.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw (E) cause; // a Step<T, E> throws nothing else
    } catch (TimeoutException e) {
      giveUp(givenUp);
      throw exceeded.apply("did not finish within " + seconds(limit));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUp(givenUp);
      throw exceeded.apply("interrupted");
    }
  }

  private void giveUp(AtomicBoolean givenUp) {
    if (givenUp.compareAndSet(false, true)) {
      abandoned.incrementAndGet(); // decremented by the step when it returns at last
    }
  }

  /** "10 s", "0.25 s". */
  static String seconds(Duration d) {
    long millis = d.toMillis();
    return (millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0)) + " s";
  }
}
