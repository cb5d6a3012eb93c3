package io.kulp.agent.work;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When the worker counts as stalled, for /healthz: busy, and no progress for longer than the limit. */
class WorkerProgressTest {
  private static final Duration STALL = Duration.ofMinutes(3);

  private final AgentFakes.MutableClock clock = new AgentFakes.MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
  private final WorkerProgress progress = new WorkerProgress(clock, STALL);

  @Test
  void anIdleWorkerIsNeverStalled() {
    clock.advance(Duration.ofDays(1));
    assertThat(progress.stalled()).isFalse();

    progress.started();
    progress.finished();
    clock.advance(Duration.ofDays(1));
    assertThat(progress.stalled()).isFalse();
  }

  @Test
  void aTaskThatMakesNoProgressForLongerThanTheLimitStallsTheWorkerUntilItEnds() {
    progress.started();
    clock.advance(STALL);
    assertThat(progress.stalled()).isFalse();

    clock.advance(Duration.ofSeconds(1));
    assertThat(progress.stalled()).isTrue();

    progress.finished();
    assertThat(progress.stalled()).isFalse();
  }

  @Test
  void aLongTaskThatKeepsSettlingItsItemsIsNotStalled() {
    progress.started();
    for (int i = 0; i < 10; i++) {
      clock.advance(STALL.minusSeconds(1));
      progress.progressed();
      assertThat(progress.stalled()).isFalse();
    }
  }
}
