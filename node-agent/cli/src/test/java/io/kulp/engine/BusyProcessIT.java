package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.patch.PatchContainer;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Patching a process that is busy: threads running the patched function, a thread blocked in
 * read(), data in red zones, signals arriving, a parent watching with waitpid. Each case runs in
 * both write modes: the runtime's own atomic stores ("self"), and the engine's writes with every
 * thread stopped, for a process under MemoryDenyWriteExecute ("stopped").
 */
class BusyProcessIT {
  private static Engine engine;
  private static Operation work;
  private static Operation revertWork;
  private TargetProgram program;

  @BeforeAll
  static void engine() throws Exception {
    engine = new PtraceEngine(PtraceEngine.Options.defaults());
    PatchContainer c = PatchContainer.read(Fixtures.patch("work"));
    work = new Operation.Apply(c);
    revertWork = new Operation.Revert(c.apply().id(), "work.so");
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  @AfterEach
  void stop() {
    if (program != null) {
      program.close();
    }
  }

  private TargetProgram start(String mode, String... more) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()));
    if (mode.equals("stopped")) {
      env.put("KFIX_SECCOMP", "mdwe");
    }
    program = TargetProgram.start(env, Fixtures.fixture("kfix-driver"), more);
    program.await(l -> l.startsWith("ready"));
    return program;
  }

  private void cycle(int times) {
    for (int i = 0; i < times; i++) {
      OperationResult applied = engine.run(program.pid(), List.of(work)).get(0);
      assertThat(applied.outcome()).as("apply %d: %s", i, applied.message()).isEqualTo(Outcome.APPLIED);
      OperationResult reverted = engine.run(program.pid(), List.of(revertWork)).get(0);
      assertThat(reverted.outcome()).as("revert %d: %s", i, reverted.message()).isEqualTo(Outcome.REVERTED);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void sixteenThreadsRunThePatchedFunctionThrough200AppliesAndReverts(String mode) throws Exception {
    start(mode);
    assertThat(program.ask("threads 16", "threads")).isEqualTo("16");
    cycle(200);
    program.send("stats");
    String stats = program.await(l -> l.startsWith("stats"));
    assertThat(stats).matches("stats calls=\\d+ wrong=0");
    assertThat(Long.parseLong(stats.replaceAll(".*calls=(\\d+).*", "$1"))).isGreaterThan(0);
    assertThat(program.alive()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void threadsCreatedWhileTheProcessIsBeingStoppedAreCaughtToo(String mode) throws Exception {
    start(mode);
    program.ask("churn", "churn");
    program.ask("threads 2", "threads");
    cycle(50);
    assertThat(Long.parseLong(program.ask("churned", "churned"))).isGreaterThan(100);
    program.send("stats");
    assertThat(program.await(l -> l.startsWith("stats"))).endsWith("wrong=0");
    assertThat(program.alive()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void aProcessWhoseMainThreadHasExitedIsPatchedThroughItsOtherThreads(String mode) throws Exception {
    start(mode);
    program.ask("threads 2", "threads");
    program.ask("leave", "leave"); // main thread: pthread_exit; a new thread answers from now on
    // The exited main thread stays listed as a zombie the kernel refuses to trace: the engine
    // must neither read the process through it nor take it for a thread held by a debugger.
    org.awaitility.Awaitility.await("the main thread exited").atMost(java.time.Duration.ofSeconds(10))
        .until(() -> Files.readString(Path.of("/proc/" + program.pid() + "/stat")).contains(") Z "));
    cycle(3);
    OperationResult applied = engine.run(program.pid(), List.of(work)).get(0);
    assertThat(applied.outcome()).as(applied.message()).isEqualTo(Outcome.APPLIED);
    assertThat(program.ask("work 10", "work")).isEqualTo("22");
    assertThat(engine.read(program.pid()).patches()).hasSize(1);
    program.send("stats");
    assertThat(program.await(l -> l.startsWith("stats"))).endsWith("wrong=0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void aThreadBlockedInReadResumesAndGetsItsData(String mode) throws Exception {
    start(mode);
    // The main thread is blocked in read() on its stdin all along: an EINTR would end the program.
    cycle(5);
    assertThat(program.ask("work 10", "work")).isEqualTo("21");
    assertThat(program.alive()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void dataInTheRedZoneSurvives(String mode) throws Exception {
    start(mode);
    program.ask("redzone 2", "redzone");
    program.ask("threads 2", "threads");
    cycle(20);
    program.send("redstats");
    String stats = program.await(l -> l.startsWith("redstats"));
    assertThat(stats).matches("redstats checked=[1-9]\\d* corrupted=0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void signalsDeliveredDuringTheInjectionsAreAllHandled(String mode) throws Exception {
    start(mode);
    program.ask("threads 4", "threads");
    int sent = 300;
    AtomicBoolean done = new AtomicBoolean();
    Thread patcher = new Thread(() -> {
      while (!done.get()) {
        cycle(1);
      }
    });
    patcher.start();
    for (int i = 0; i < sent; i++) {
      Commands.output("kill", "-s", "RTMIN", Integer.toString(program.pid()));
    }
    done.set(true);
    patcher.join();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> program.ask("signals", "signals").equals(Integer.toString(sent)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void aParentWaitingWithWuntracedSeesNothing(String mode) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()));
    if (mode.equals("stopped")) {
      env.put("KFIX_SECCOMP", "mdwe");
    }
    program = TargetProgram.start(env, Fixtures.fixture("kfix-parent"), Fixtures.fixture("kfix-driver").toString());
    int child = Integer.parseInt(program.await(l -> l.startsWith("child pid=")).substring(10));
    // The parent's line and the child's "ready" come from two processes, in either order.
    org.awaitility.Awaitility.await("the driver is ready").atMost(java.time.Duration.ofSeconds(20))
        .until(() -> program.output().stream().anyMatch(l -> l.startsWith("ready")));
    program.ask("threads 4", "threads");
    for (int i = 0; i < 10; i++) {
      assertThat(engine.run(child, List.of(work)).get(0).outcome()).isEqualTo(Outcome.APPLIED);
      assertThat(engine.run(child, List.of(revertWork)).get(0).outcome()).isEqualTo(Outcome.REVERTED);
    }
    program.send("quit");
    program.await(l -> l.equals("parent saw: exited"));
    assertThat(program.output()).filteredOn(l -> l.startsWith("parent saw")).containsExactly("parent saw: exited");
  }

  @ParameterizedTest
  @ValueSource(strings = {"self", "stopped"})
  void aProcessThatExitsDuringTheInjectionIsReportedAndNothingHangs(String mode) throws Exception {
    start(mode);
    AtomicInteger pid = new AtomicInteger(program.pid());
    try (Engine slow = new PtraceEngine(PtraceEngine.Options.defaults().withStepDelay(java.time.Duration.ofMillis(300)))) {
      // Killed once the engine is inside the injection: it has seized a thread of the process.
      Thread killer = new Thread(() -> {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
            .pollInterval(java.time.Duration.ofMillis(1)).until(() -> tracedThread(pid.get()));
        Commands.output("kill", "-9", Integer.toString(pid.get()));
      });
      killer.start();
      long start = System.nanoTime();
      OperationResult r = slow.run(pid.get(), List.of(work)).get(0);
      killer.join();
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(r.message()).contains("no such process: " + pid.get());
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    }
  }

  /** True when some thread of the process has a tracer. */
  private static boolean tracedThread(int pid) throws java.io.IOException {
    try (var tasks = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
      for (java.nio.file.Path task : tasks) {
        if (!java.nio.file.Files.readAllLines(task.resolve("status")).contains("TracerPid:\t0")) {
          return true;
        }
      }
    }
    return false;
  }
}
