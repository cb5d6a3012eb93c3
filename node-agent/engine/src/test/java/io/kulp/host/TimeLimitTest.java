package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kulp.testing.Commands;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step blocked in the kernel costs its caller the limit, and the JVM a bounded number of threads. */
class TimeLimitTest {
  private static final Duration LIMIT = Duration.ofMillis(200);

  @Test
  void aStepBlockedInASystemCallIsGivenUpAtTheLimitAndItsThreadEndsWhenTheCallReturns(@TempDir Path dir)
      throws Exception {
    TimeLimit time = new TimeLimit(4);
    Path fifo = fifo(dir, "blocks");

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(
        () -> time.call(LIMIT, () -> FileChannel.open(fifo, StandardOpenOption.READ), IOException::new))
        .isInstanceOf(IOException.class).hasMessage("did not finish within 0.2 s"));
    assertThat(time.abandoned()).isEqualTo(1);

    release(fifo);
    await().atMost(Duration.ofSeconds(5)).until(() -> time.abandoned() == 0);
  }

  @Test
  void aStepThatRetiresItsThreadHandsOverItsResultAndTheThreadEnds() throws Exception {
    TimeLimit time = new TimeLimit(4);
    List<Thread> ran = new ArrayList<>();

    String kept = time.call(LIMIT, () -> {
      ran.add(Thread.currentThread());
      return "kept";
    }, IllegalStateException::new);
    String retired = time.call(LIMIT, () -> {
      ran.add(Thread.currentThread());
      TimeLimit.retireThisThread();
      return "retired";
    }, IllegalStateException::new);

    assertThat(kept).isEqualTo("kept");
    assertThat(retired).isEqualTo("retired");
    await().atMost(Duration.ofSeconds(5)).until(() -> !ran.get(1).isAlive());
    if (ran.get(0) != ran.get(1)) {
      assertThat(ran.get(0).isAlive()).as("a thread not retired waits for the next step").isTrue();
    }
  }

  @Test
  void onceTooManyStepsAreBlockedANewOneFailsAtOnce(@TempDir Path dir) throws Exception {
    TimeLimit time = new TimeLimit(2);
    List<Path> fifos = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Path fifo = fifo(dir, "blocks-" + i);
        fifos.add(fifo);
        assertThatThrownBy(() -> time.call(LIMIT, () -> FileChannel.open(fifo, StandardOpenOption.READ),
            IOException::new)).hasMessageContaining("did not finish");
      }
      long start = System.nanoTime();

      assertThatThrownBy(() -> time.call(LIMIT, () -> "never run", IOException::new))
          .hasMessageContaining("not tried: 2 earlier steps on processes are still blocked");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LIMIT);
    } finally {
      for (Path fifo : fifos) {
        release(fifo);
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> time.abandoned() == 0);
    assertThat(time.call(LIMIT, () -> "runs again", IOException::new)).isEqualTo("runs again");
  }

  @Test
  void aStepStartedWithinAStepRunsOnTheSameThread() throws Exception {
    TimeLimit time = new TimeLimit(1);

    Thread[] threads = time.call(LIMIT, () -> new Thread[] {Thread.currentThread(),
        time.call(LIMIT, Thread::currentThread, IOException::new)}, IOException::new);

    assertThat(threads[0]).isNotSameAs(Thread.currentThread());
    assertThat(threads[1]).isSameAs(threads[0]);
  }

  @Test
  void aStepsOwnExceptionReachesTheCaller() {
    TimeLimit time = new TimeLimit(1);

    assertThatThrownBy(() -> time.call(LIMIT, () -> {
      throw new IOException("its own");
    }, IOException::new)).hasMessage("its own");
  }

  private static Path fifo(Path dir, String name) {
    Path fifo = dir.resolve(name);
    Commands.output("mkfifo", fifo.toString());
    return fifo;
  }

  /** Opens the FIFO's other end, which lets a blocked open for reading return. */
  private static void release(Path fifo) throws IOException {
    if (Files.exists(fifo)) {
      FileChannel.open(fifo, StandardOpenOption.WRITE).close();
    }
  }
}
