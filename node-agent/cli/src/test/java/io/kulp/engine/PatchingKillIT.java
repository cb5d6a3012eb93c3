package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SIGKILL the {@code ulp} process at random moments of an injection into a multithreaded process,
 * 200 times. Each time the target must survive, run on (not stopped, not traced), and have the
 * three functions of multi.so either all patched or none.
 *
 * <p>KULP_DEBUG_STEP_DELAY_MS stretches each step of the engine's protocol (seize, post, check,
 * commit) and announces it on stderr, so that each kill lands inside a chosen step rather than in
 * the JVM's start-up: the test learns the steps from a whole run, then kills each run at a random
 * moment of a random step.
 */
class PatchingKillIT {
  private static final int KILLS = 200;
  private static final String ORIGINAL = "1 100 7";
  private static final String PATCHED = "50 250 75";

  private static final int STEP_DELAY_MS = 40;
  /** Kills during a function's first patch, per write mode, each in a fresh process. */
  private static final int FIRST_PATCH_KILLS = 40;
  private static final String STEP = "kulp-debug: step ";

  private static Process ulp(TargetProgram program, boolean revert) throws IOException {
    return ulp(program, revert, STEP_DELAY_MS);
  }

  private static Process ulp(TargetProgram program, boolean revert, int stepDelayMs) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Fixtures.ulp().toString(), "trigger", "-q", "-p",
        Integer.toString(program.pid()), revert ? "--revert" : "--timeout=20", Fixtures.patch("multi").toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("KULP_DEBUG_STEP_DELAY_MS", Integer.toString(stepDelayMs));
    pb.environment().put("ULP_DAEMON", "off"); // the engine to kill is this command's own JVM
    return pb.start();
  }

  /** One uninterrupted run, which must succeed. */
  private static void runWhole(TargetProgram program, boolean revert) throws Exception {
    Process p = ulp(program, revert);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void killingUlpAtAnyMomentLeavesTheProcessRunningAndThePatchWholeOrAbsent() throws Exception {
    Random random = new Random(20261127);
    PatchContainer multi = PatchContainer.read(Fixtures.patch("multi"));
    int changedByTheKilledRun = 0;
    int leftUnchanged = 0;
    try (Engine reader = new PtraceEngine(PtraceEngine.Options.defaults());
        TargetProgram program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
      program.await(l -> l.startsWith("ready"));
      program.ask("threads 4", "threads");
      // A function's first patch has more steps (its entry is checked: see the test below); later
      // applies and reverts all have the same steps, learned here, inside which the kills land.
      runWhole(program, false);
      runWhole(program, true);
      List<String> steps = stepsOfAnUninterruptedApply(program);
      assertThat(settledState(program)).isEqualTo(PATCHED);
      runWhole(program, true);
      assertThat(settledState(program)).isEqualTo(ORIGINAL);
      boolean applied = false;
      for (int i = 0; i < KILLS; i++) {
        // A few milliseconds past a step's pause, the kill lands in the engine's work that follows.
        killInStep(ulp(program, applied), random.nextInt(steps.size()), random.nextInt(STEP_DELAY_MS + 10));

        String state = settledState(program);
        assertThat(state).as("kill %d: all three functions or none", i).isIn(ORIGINAL, PATCHED);
        boolean nowApplied = state.equals(PATCHED);
        boolean recorded = reader.read(program.pid()).patches().stream()
            .anyMatch(p -> p.id().equals(multi.apply().id().hex()));
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

  /**
   * The same for two functions without padding (the system's libcrypto.so.3, kfix-plain): their
   * entries are armed with an int3 before COMMIT, so a ulp killed between arming and COMMIT leaves
   * them running the new code until the request's deadline (here 2 s), when the helper takes the
   * int3s back. Within that time the process must settle, every time, on both functions patched
   * and recorded, or neither.
   */
  @Test
  void killingUlpAtAnyMomentOfAPatchOfFunctionsWithoutPaddingLeavesItWholeOrAbsent() throws Exception {
    killAtRandomMoments("without padding", "unprepared/crypto", 20261204, KILLS, 2, 10,
        program -> program.ask("sslver", "sslver") + " " + program.ask("cmp", "cmp"), "30000130 1", "40000000 2");
  }

  /**
   * A patch with the consistency check is planned, then made within one stop of every thread: a
   * {@code ulp} killed at any moment, the world stop included, leaves it applied or not, and every
   * thread running and untraced (the kernel lets the stopped threads go with their tracer).
   */
  @Test
  void killingUlpAtAnyMomentOfAPatchWithTheConsistencyCheckLeavesItWholeOrAbsent() throws Exception {
    killAtRandomMoments("consistency check", "unprepared/zlib_gzread_consistent", 20261205, 60, 10, 5,
        program -> program.ask("gzread", "gzread"), "1", "-42");
  }

  /** What a kill test asks the target after each kill: its functions' answers, together. */
  @FunctionalInterface
  private interface Observation {
    String of(TargetProgram program) throws IOException;
  }

  /**
   * Kills a {@code ulp} applying or reverting {@code patchName} (whichever the target needs next)
   * {@code kills} times, each in a random step of that run: the target, four threads of which keep
   * calling CRYPTO_memcmp, must answer {@code original} or {@code patched} after each kill, agree
   * with its runtime's table, and run on untraced; at least {@code atLeast} kills must land before
   * the commit and as many after it.
   */
  private static void killAtRandomMoments(String name, String patchName, long seed, int kills, int timeoutSeconds,
      int atLeast, Observation observe, String original, String patched) throws Exception {
    Random random = new Random(seed);
    PatchContainer patch = PatchContainer.read(Fixtures.patch(patchName));
    int changed = 0;
    int unchanged = 0;
    List<List<String>> stepsSeen;
    try (Engine reader = new PtraceEngine(PtraceEngine.Options.defaults());
        TargetProgram program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-plain"))) {
      program.await(l -> l.startsWith("ready"));
      program.ask("cthreads 4", "cthreads");
      // The steps of a whole apply, then of a whole revert: each kill lands in a step of the run
      // it interrupts.
      List<String> applySteps = wholeRunSteps(unpreparedUlp(program, patch.path(), false, timeoutSeconds));
      List<String> revertSteps = wholeRunSteps(unpreparedUlp(program, patch.path(), true, timeoutSeconds));
      stepsSeen = List.of(applySteps, revertSteps);
      boolean applied = false;
      for (int i = 0; i < kills; i++) {
        List<String> steps = applied ? revertSteps : applySteps;
        killInStep(unpreparedUlp(program, patch.path(), applied, timeoutSeconds), random.nextInt(steps.size()),
            random.nextInt(STEP_DELAY_MS + 10));
        int kill = i;
        String[] state = {""};
        boolean[] recorded = {false};
        Awaitility.await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
          state[0] = observe.of(program);
          recorded[0] = reader.read(program.pid()).patches().stream()
              .anyMatch(p -> p.id().equals(patch.apply().id().hex()));
          assertThat(state[0]).as("kill %d: every function old or every function new", kill).isIn(original, patched);
          assertThat(recorded[0]).as("kill %d: the runtime's table agrees with the code", kill)
              .isEqualTo(state[0].equals(patched));
        });
        assertRunningAndUntraced(program.pid(), i);
        if (recorded[0] != applied) {
          changed++;
        } else {
          unchanged++;
        }
        applied = recorded[0];
      }
      program.send("stats");
      assertThat(program.await(l -> l.startsWith("stats"))).endsWith("unexpected=0");
    }
    System.out.printf("PatchingKillIT (%s, steps %s): %d kills, %d after the commit, %d before it%n", name,
        stepsSeen, kills, changed, unchanged);
    assertThat(changed).as("kills after the change was committed").isGreaterThan(atLeast);
    assertThat(unchanged).as("kills before the change was committed").isGreaterThan(atLeast);
  }

  /** The steps a run announces, once it has ended successfully. */
  private static List<String> wholeRunSteps(Process run) throws Exception {
    List<String> steps = new ArrayList<>();
    try (BufferedReader err = run.errorReader()) {
      for (String line; (line = err.readLine()) != null;) {
        if (line.startsWith(STEP)) {
          steps.add(line.substring(STEP.length()));
        }
      }
    }
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isZero();
    return steps;
  }

  private static Process unpreparedUlp(TargetProgram program, Path patch, boolean revert, int timeoutSeconds)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Fixtures.ulp().toString(), "trigger", "-q", "-p",
        Integer.toString(program.pid()), "--timeout=" + timeoutSeconds, revert ? "--revert" : "--retries=1",
        patch.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("KULP_DEBUG_STEP_DELAY_MS", Integer.toString(STEP_DELAY_MS));
    pb.environment().put("ULP_DAEMON", "off"); // the engine to kill is this command's own JVM
    return pb.start();
  }

  /** How a process under test has its code written. */
  enum Writes {
    /** The runtime writes it: the entry's NOPs are merged, the engine checks, the runtime commits. */
    RUNTIME(Map.of()),
    /** The engine writes it with every thread stopped: a process that forbids writable code (PR_SET_MDWE). */
    ENGINE(Map.of("KFIX_MDWE", "1"));

    final Map<String, String> env;

    Writes(Map<String, String> env) {
      this.env = env;
    }
  }

  /**
   * The first patch of a function in a process is the longest injection: the padding is laid out
   * and the entry changed for the first time. A {@code ulp} killed inside each of its steps in
   * turn, in a fresh process each time, must leave a process that the next {@code ulp} patches or
   * unpatches normally, once, with every function working (as an agent restarted mid-rollout does).
   */
  @ParameterizedTest
  @EnumSource(Writes.class)
  void aUlpKilledDuringAFunctionsFirstPatchLeavesAProcessTheNextUlpPatches(Writes writes) throws Exception {
    Random random = new Random(20261127L + writes.ordinal());
    String patchId = PatchContainer.read(Fixtures.patch("multi")).apply().id().hex();
    Map<String, String> env = new HashMap<>(writes.env);
    env.put("LD_PRELOAD", Fixtures.libpulp().toString());
    List<String> steps = null;
    int committedByTheKilledRun = 0;
    try (Engine reader = new PtraceEngine(PtraceEngine.Options.defaults())) {
      for (int i = -1; i < FIRST_PATCH_KILLS; i++) {
        try (TargetProgram program = TargetProgram.start(env, Fixtures.fixture("kfix-driver"))) {
          program.await(l -> l.startsWith("ready"));
          program.ask("threads 4", "threads");
          if (steps == null) {
            steps = stepsOfAnUninterruptedApply(program); // the steps to kill in, in turn
            continue;
          }
          int step = i % steps.size();
          String where = "kill " + i + " (" + writes + " writes, in step " + step + " " + steps.get(step)
              + ")";
          killInStep(ulp(program, false), step, random.nextInt(STEP_DELAY_MS));

          String state = settledState(program);
          assertThat(state).as("%s: all three functions or none", where).isIn(ORIGINAL, PATCHED);
          boolean recorded = reader.read(program.pid()).patches().stream().anyMatch(p -> p.id().equals(patchId));
          assertThat(recorded).as("%s: the runtime's table agrees with the code", where)
              .isEqualTo(state.equals(PATCHED));
          assertRunningAndUntraced(program.pid(), i);
          if (recorded) {
            committedByTheKilledRun++;
          }

          Process next = ulp(program, recorded, 0);
          assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
          assertThat(next.exitValue()).as("%s: the next ulp %s", where, recorded ? "reverts" : "applies")
              .isZero();
          assertThat(settledState(program)).as("%s: after the next ulp", where)
              .isEqualTo(recorded ? ORIGINAL : PATCHED);
          assertThat(reader.read(program.pid()).patches()).as("%s: patches after the next ulp", where)
              .hasSize(recorded ? 0 : 1);
          program.send("stats");
          assertThat(program.await(l -> l.startsWith("stats"))).as(where).endsWith("wrong=0");
          assertRunningAndUntraced(program.pid(), i);
        }
      }
    }
    System.out.printf("PatchingKillIT (%s writes, first patch, steps %s): %d kills, %d after the commit%n",
        writes, steps, FIRST_PATCH_KILLS, committedByTheKilledRun);
    // Only a kill in the last step (the commit posted) leaves the change to the runtime to finish.
    assertThat(committedByTheKilledRun).as("kills after the change was committed")
        .isBetween(1, FIRST_PATCH_KILLS / 2);
  }

  private static List<String> stepsOfAnUninterruptedApply(TargetProgram program) throws Exception {
    Process ulp = ulp(program, false);
    List<String> steps = new ArrayList<>();
    try (BufferedReader err = ulp.errorReader()) {
      for (String line; (line = err.readLine()) != null;) {
        if (line.startsWith(STEP)) {
          steps.add(line.substring(STEP.length()));
        }
      }
    }
    assertThat(ulp.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ulp.exitValue()).isZero();
    assertThat(steps).as("steps announced with KULP_DEBUG_STEP_DELAY_MS").hasSizeGreaterThanOrEqualTo(2);
    return steps;
  }

  /** SIGKILLs {@code ulp} {@code offsetMs} into the pause of its step number {@code step} (from 0). */
  private static void killInStep(Process ulp, int step, int offsetMs) throws Exception {
    BufferedReader err = ulp.errorReader();
    int seen = 0;
    for (String line; seen <= step && (line = err.readLine()) != null;) {
      if (line.startsWith(STEP)) {
        seen++;
      }
    }
    Thread.sleep(offsetMs);
    ulp.destroyForcibly();
    assertThat(ulp.waitFor(10, TimeUnit.SECONDS)).isTrue();
    err.close();
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
