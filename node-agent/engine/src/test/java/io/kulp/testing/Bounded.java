package io.kulp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a parser on hostile input and checks that it stayed within bounds: it ended within a
 * time limit (else the test fails and the thread is abandoned), and allocated at most so many
 * bytes while it ran (all allocation, garbage included: a proxy, in a test JVM with a large
 * heap, for "fits in the node agent's 64 MiB heap").
 */
public final class Bounded {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Bounded() {}

  @FunctionalInterface
  public interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work}; returns what it threw (null if nothing), after checking time and allocation. */
  public static Throwable run(Duration limit, long maxAllocated, Work work) {
    AtomicLong allocated = new AtomicLong();
    Throwable thrown = assertTimeoutPreemptively(limit, () -> {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      try {
        work.run();
        return null;
      } catch (Throwable t) {
        return t;
      } finally {
        allocated.set(THREADS.getCurrentThreadAllocatedBytes() - before);
      }
    }, () -> "still running after " + limit);
    assertThat(allocated.get()).as("bytes allocated (what was thrown: %s)", thrown).isLessThanOrEqualTo(maxAllocated);
    return thrown;
  }
}
