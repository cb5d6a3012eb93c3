package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.testing.Blocking;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool gives up on work that overruns, keeps its parallelism, and stops starting work when too much is stuck. */
@Timeout(20)
class ProcessPoolTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final ProcessPool pool = new ProcessPool("test", 1, Duration.ofMillis(200), () -> { });

  @AfterEach
  void close() {
    release.countDown();
    pool.close();
  }

  private String work(int item) {
    if (item < 0) {
      Blocking.hang(release);
    }
    return "done " + item;
  }

  @Test
  void workThatOverrunsIsGivenUpAndTheRestIsStillDoneWithItsParallelism() {
    long start = System.nanoTime();

    List<String> results = pool.map(List.of(1, -1, 2, -2, 3), i -> i, this::work, (i, why) -> why);

    assertThat(results).containsExactly("done 1", "timed out after 200 ms", "done 2", "timed out after 200 ms",
        "done 3");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(pool.abandoned()).isEqualTo(2);
  }

  @Test
  void onceTooManyThreadsAreStuckNothingStartsAndTheThreadsThatEndFreeTheirItems() {
    int max = ProcessPool.MAX_ABANDONED_PER_THREAD;
    pool.map(IntStream.rangeClosed(1, max).map(i -> -i).boxed().toList(), i -> i, this::work, (i, why) -> why);
    assertThat(pool.saturated()).isTrue();

    assertThat(pool.map(List.of(7), i -> i, this::work, (i, why) -> why)).singleElement().asString()
        .startsWith("not started: the work on " + max + " earlier items timed out");

    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> pool.abandoned() == 0);
    assertThat(pool.saturated()).isFalse();
    assertThat(pool.map(List.of(7, -1), i -> i, this::work, (i, why) -> why)).containsExactly("done 7", "done -1");
  }

  @Test
  void withoutADeadlineEveryItemIsWorkedOnEachOnOneThreadAndTheResultsComeInOrder() {
    try (ProcessPool cli = new ProcessPool("cli", 4)) {
      List<String> results = cli.map(IntStream.range(0, 50).boxed().toList(),
          i -> i + " on " + Thread.currentThread().getName());

      assertThat(results).hasSize(50);
      for (int i = 0; i < 50; i++) {
        assertThat(results.get(i)).startsWith(i + " on cli-");
      }
    }
  }
}
