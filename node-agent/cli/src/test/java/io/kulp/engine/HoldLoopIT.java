package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.host.TimeLimit;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The quiescence check's hold loop in C ({@link HoldLoop}, libkulp-hold.so) on a real process. */
class HoldLoopIT {
  private static final long NOWHERE = 1;
  private TargetProgram program;

  @BeforeEach
  void start() throws Exception {
    program = TargetProgram.start(Map.of(), Fixtures.fixture("kfix-driver"));
    program.await(l -> l.startsWith("ready"));
    assertThat(program.ask("threads 8", "threads")).isEqualTo("8");
  }

  @AfterEach
  void stop() {
    program.close();
  }

  @Test
  void everyBusyThreadIsReadAndLetGoWithinMicroseconds() throws Exception {
    int[] tids = tids();

    HoldLoop.Outcome seen = HoldLoop.check(tids, new long[] {NOWHERE}, new boolean[] {false}, inSeconds(5));

    assertThat(seen.failed()).as("%s", seen).isFalse();
    assertThat(seen.foundTid()).isZero();
    assertThat(seen.refused()).isEmpty();
    assertThat(seen.longestNanos()).isPositive().isLessThan(TimeUnit.SECONDS.toNanos(1));
    for (int tid : tids) {
      assertThat(tracer(tid)).as("thread %d", tid).isZero();
    }
    assertThat(program.ask("pid", "pid")).isEqualTo(String.valueOf(program.pid())); // still answers
  }

  @Test
  void aThreadAtACheckedAddressIsNamedWithIt() throws Exception {
    Path proc = Path.of("/proc/" + program.pid());
    long pc = Threads.blockedPc(proc, program.pid()); // the main thread, reading its commands

    HoldLoop.Outcome seen = HoldLoop.check(new int[] {program.pid()}, new long[] {NOWHERE, pc},
        new boolean[] {false, false}, inSeconds(5));

    assertThat(seen.failed()).as("%s", seen).isFalse();
    assertThat(seen.foundTid()).isEqualTo(program.pid());
    assertThat(seen.foundPc()).isEqualTo(pc);
    assertThat(tracer(program.pid())).isZero();
    assertThat(program.ask("pid", "pid")).isEqualTo(String.valueOf(program.pid())); // its read() went on
  }

  @Test
  void aThreadTracedByAnotherIsNamedAsRefusedAndTheOthersAreLetGo() throws Exception {
    int[] tids = tids();
    int taken = tids[tids.length - 1];
    ExecutorService debugger = Executors.newSingleThreadExecutor();
    try {
      debugger.submit(() -> {
        Ptrace.seize(taken, 0);
        return null;
      }).get();

      HoldLoop.Outcome seen = HoldLoop.check(tids, new long[] {NOWHERE}, new boolean[] {false}, inSeconds(5));

      assertThat(seen.failed()).as("%s", seen).isFalse();
      assertThat(seen.refused()).containsExactly(taken);
      for (int tid : tids) {
        if (tid != taken) {
          assertThat(tracer(tid)).as("thread %d", tid).isZero();
        }
      }
    } finally {
      debugger.submit(() -> {
        Ptrace.interrupt(taken);
        Ptrace.detach(taken, Ptrace.waitStop(taken, inSeconds(5)).pendingSignal());
        return null;
      }).get();
      debugger.shutdown();
    }
    assertThat(tracer(taken)).isZero();
  }

  @Test
  void aThreadThatNeverStopsIsNamedAtTheDeadlineAndLetGoWhenItsTracerRetires() throws Exception {
    int tid = Integer.parseInt(program.ask("vfork 1500", "vfork")); // blocked in vfork() for 1.5 s
    assertThat(tid).as("the fixture's thread blocked in vfork()").isPositive();
    long started = System.nanoTime();

    // As the engine runs it: in a step of TimeLimit, whose thread can be retired.
    HoldLoop.Outcome seen = TimeLimit.shared().call(Duration.ofSeconds(5),
        () -> HoldLoop.check(new int[] {tid}, new long[] {NOWHERE}, new boolean[] {false},
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)),
        IllegalStateException::new);

    assertThat(seen.failedStep()).as("%s", seen).isEqualTo(HoldLoop.DEADLINE);
    assertThat(seen.failedTid()).isEqualTo(tid);
    assertThat(seen.stragglers()).isEqualTo(1);
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(1));
    // Its tracer thread ends, so the kernel lets it go before its child exits...
    await().atMost(Duration.ofSeconds(1)).until(() -> tracer(tid) == 0);
    // ...and once the child has, vfork() returns and the thread ends: it did not stop for good.
    Path task = Path.of("/proc/" + program.pid() + "/task/" + tid);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(task));
    assertThat(program.ask("pid", "pid")).isEqualTo(String.valueOf(program.pid()));
  }

  private int[] tids() throws Exception {
    List<Integer> all = Threads.of(Path.of("/proc/" + program.pid()));
    return all.stream().filter(t -> t != program.pid()).mapToInt(Integer::intValue).toArray();
  }

  private int tracer(int tid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + program.pid() + "/task/" + tid + "/status"))) {
      if (line.startsWith("TracerPid:")) {
        return Integer.parseInt(line.substring(10).strip());
      }
    }
    throw new IllegalStateException("no TracerPid");
  }

  private static long inSeconds(int seconds) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }
}
