package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL the {@code ulp} process at random moments of an injection into a multithreaded process,
 * 200 times. Each time the target must survive, run on (not stopped, not traced), and have the
 * three functions of multi.so either all patched or none.
 *
 * <p>KULP_DEBUG_STEP_DELAY_MS stretches each step of the engine's protocol (seize, post, check,
 * commit) so that the random kills land inside the injection rather than in the JVM's start-up:
 * the test first times whole runs, then kills each run at a random moment of its protocol part.
 */
class PatchingKillIT {
  private static final int KILLS = 200;
  private static final String ORIGINAL = "1 100 7";
  private static final String PATCHED = "50 250 75";

  private static final int STEP_DELAY_MS = 40;

  private static Process ulp(TargetProgram program, boolean revert) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Fixtures.ulp().toString(), "trigger", "-q", "-p",
        Integer.toString(program.pid()), revert ? "--revert" : "--timeout=20", Fixtures.patch("multi").toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("KULP_DEBUG_STEP_DELAY_MS", Integer.toString(STEP_DELAY_MS));
    return pb.start();
  }

  /** Milliseconds a whole uninterrupted run takes. */
  private static long time(TargetProgram program, boolean revert) throws Exception {
    long start = System.nanoTime();
    Process p = ulp(program, revert);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void killingUlpAtAnyMomentLeavesTheProcessRunningAndThePatchWholeOrAbsent() throws Exception {
    Random random = new Random(20261127);
    PatchContainer multi = PatchContainer.read(Fixtures.patch("multi"));
    int changedByTheKilledRun = 0;
    int leftUnchanged = 0;
    try (Engine reader = new Engine(Engine.Options.defaults());
        TargetProgram program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
      program.await(l -> l.startsWith("ready"));
      program.ask("threads 4", "threads");
      // Apply pauses 4 times (seized, posted, checked, posted commit), revert twice.
      long[] applyMs = new long[3];
      long[] revertMs = new long[3];
      for (int i = 0; i < 3; i++) {
        applyMs[i] = time(program, false);
        assertThat(settledState(program)).isEqualTo(PATCHED);
        revertMs[i] = time(program, true);
        assertThat(settledState(program)).isEqualTo(ORIGINAL);
      }
      java.util.Arrays.sort(applyMs);
      java.util.Arrays.sort(revertMs);
      boolean applied = false;
      for (int i = 0; i < KILLS; i++) {
        // A run ends with the JVM's exit (some tens of ms) after its protocol: the window covers
        // the protocol, whose last step (the commit) falls about in its middle.
        long whole = applied ? revertMs[1] : applyMs[1];
        long protocol = (applied ? 2 : 4) * STEP_DELAY_MS;
        Process ulp = ulp(program, applied);
        Thread.sleep(Math.max(0, whole - protocol - 40) + random.nextInt((int) protocol + 20));
        ulp.destroyForcibly();
        assertThat(ulp.waitFor(10, TimeUnit.SECONDS)).isTrue();

        String state = settledState(program);
        assertThat(state).as("kill %d: all three functions or none", i).isIn(ORIGINAL, PATCHED);
        boolean nowApplied = state.equals(PATCHED);
        boolean recorded = reader.patches(program.pid()).stream().anyMatch(p -> p.id().equals(multi.apply().id().hex()));
        assertThat(recorded).as("kill %d: the runtime's table agrees with the code", i).isEqualTo(nowApplied);
        assertRunningAndUntraced(program.pid(), i);
        if (nowApplied != applied) {
          changedByTheKilledRun++;
        } else {
          leftUnchanged++;
        }
        applied = nowApplied;
      }
      program.send("stats");
      assertThat(program.await(l -> l.startsWith("stats"))).endsWith("wrong=0");
    }
    System.out.printf("PatchingKillIT: %d kills, %d after the commit, %d before it%n", KILLS, changedByTheKilledRun,
        leftUnchanged);
    // The kills must have landed on both sides of the commit, or this test proved little.
    assertThat(changedByTheKilledRun).as("kills after the change was committed").isGreaterThan(10);
    assertThat(leftUnchanged).as("kills before the change was committed").isGreaterThan(10);
  }

  /** value, endbr and pagecross, once two readings a few milliseconds apart agree. */
  private static String settledState(TargetProgram program) {
    String[] last = {""};
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
      String now = program.ask("value", "value") + " " + program.ask("endbr", "endbr") + " "
          + program.ask("pagecross", "pagecross");
      boolean stable = now.equals(last[0]);
      last[0] = now;
      return stable;
    });
    return last[0];
  }

  private static void assertRunningAndUntraced(int pid, int kill) throws IOException {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        List<String> status = Files.readAllLines(task.resolve("status"));
        assertThat(status).as("kill %d: %s not traced", kill, task).contains("TracerPid:\t0");
        assertThat(status.stream().filter(l -> l.startsWith("State:")).findFirst().orElseThrow())
            .as("kill %d: %s not stopped", kill, task).doesNotContain("stopped");
      }
    }
  }
}
