package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedFanOutTest {

  @Test
  void runsEveryCallWithAtMostItsWidthAtOnce() {
    var fanOut = new BoundedFanOut(4, "test");
    var inFlight = new AtomicInteger();
    var mostAtOnce = new AtomicInteger();
    var done = ConcurrentHashMap.<Integer>newKeySet();
    List<Runnable> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      calls.add(() -> {
        mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        busy(2);
        inFlight.decrementAndGet();
        done.add(n);
      });
    }

    fanOut.runAll(calls);

    assertThat(done).hasSize(100);
    assertThat(mostAtOnce.get()).isLessThanOrEqualTo(4);
  }

  @Test
  void overlapsCallsSoThatABatchTakesAboutItsSumDividedByTheWidth() throws Exception {
    var fanOut = new BoundedFanOut(8, "test");
    var allEight = new CountDownLatch(8);
    List<Runnable> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(() -> {
        allEight.countDown();
        try {
          // each waits for the others: only possible when all eight run at once
          assertThat(allEight.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
    }

    fanOut.runAll(calls);

    assertThat(allEight.getCount()).isZero();
  }

  @Test
  void waitsForEveryCallThenRethrowsTheFirstFailure() {
    var fanOut = new BoundedFanOut(3, "test");
    Set<Integer> done = ConcurrentHashMap.newKeySet();
    List<Runnable> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      calls.add(() -> {
        busy(1);
        if (n == 5) {
          throw new IllegalArgumentException("write 5 failed");
        }
        done.add(n);
      });
    }

    assertThatThrownBy(() -> fanOut.runAll(calls))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("write 5 failed");
    assertThat(done).hasSize(19);
  }

  @Test
  void anInterruptedCallerWaitsForTheCallInFlightAndStartsNoOther() throws Exception {
    var fanOut = new BoundedFanOut(1, "test");
    var inFlight = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var started = new AtomicInteger();
    var firstEnded = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable slow = () -> {
      started.incrementAndGet();
      inFlight.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      firstEnded.set(true);
    };
    Runnable other = started::incrementAndGet;
    var thrown = new java.util.concurrent.atomic.AtomicReference<Throwable>();
    Thread caller = new Thread(() -> {
      try {
        fanOut.runAll(List.of(slow, other, other));
      } catch (RuntimeException e) {
        thrown.set(e);
      }
    });
    caller.start();
    inFlight.await();
    caller.interrupt();

    caller.join(200);
    assertThat(caller.isAlive()).as("still waiting for the call in flight").isTrue();
    release.countDown();
    caller.join(5_000);
    assertThat(caller.isAlive()).isFalse();
    assertThat(firstEnded).isTrue();
    assertThat(started).hasValue(1);
    assertThat(thrown.get()).hasCauseInstanceOf(InterruptedException.class);
  }

  @Test
  void runsASingleCallOnTheCallersThread() {
    var fanOut = new BoundedFanOut(3, "test");
    var ranOn = new ArrayList<Thread>();

    fanOut.runAll(List.of(() -> ranOn.add(Thread.currentThread())));
    fanOut.runAll(List.of());

    assertThat(ranOn).containsExactly(Thread.currentThread());
  }

  /** Blocks the calling thread for about {@code millis}: a stand-in for a request. */
  private static void busy(long millis) {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
