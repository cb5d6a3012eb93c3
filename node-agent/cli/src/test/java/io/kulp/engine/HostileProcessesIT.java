package io.kulp.engine;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kulp.patch.PatchContainer;
import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes that turn what the engine reads against it: the files they map, the helper thread
 * their runtime names, the time their runtime takes. Each is a real process; the engine, and
 * {@code ulp patches} and {@code ulp trigger}, must answer promptly with the reason, open nothing
 * but the file a process maps, and trace nothing but the process's own helper thread.
 *
 * <p>As root, the engine reads mapped files through {@code /proc/PID/map_files}; the node agent
 * cannot (no CAP_SYS_ADMIN) and reads them through the process's root. The tests take the agent's
 * path with {@link PtraceEngine.Options#withMapFiles} and with {@code ulp} run without those two
 * capabilities ({@link #ulpAsTheAgent}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileProcessesIT {
  /** What "promptly" means for a ulp command (a JVM start included) on a busy two-core machine. */
  private static final Duration PROMPTLY = Duration.ofSeconds(8);
  private static final String FIFO = "it is a FIFO, not a regular file";

  private final List<TargetProgram> programs = new ArrayList<>();

  @AfterEach
  void stop() {
    Collections.reverse(programs);
    programs.forEach(TargetProgram::close);
  }

  @Test
  void aFifoWhereTheDeletedRuntimeWasMakesReadAndRunFailPromptlyWithTheReason(@TempDir Path dir) throws Exception {
    Path runtime = Files.copy(Fixtures.libpulp(), dir.resolve("libpulp.so"));
    TargetProgram program = start(Map.of("LD_PRELOAD", runtime.toString()), Fixtures.fixture("kfix-driver"));
    Files.delete(runtime);
    mkfifo(dir.resolve("libpulp.so (deleted)"));

    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withMapFiles(false))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> engine.read(program.pid())).isInstanceOf(EngineException.class)
          .hasMessageContaining("cannot read " + runtime + " (deleted) of process " + program.pid())
          .hasMessageContaining(runtime + " (deleted): " + FIFO);
      List<OperationResult> results = engine.run(program.pid(), List.of(apply("value_v2")));
      assertThat(results).singleElement().satisfies(r -> {
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.message()).contains(FIFO);
      });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
    }
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults())) {
      assertThat(engine.read(program.pid()).patches()).as("through map_files: the very file mapped").isEmpty();
    }
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void ulpPatchesAndTriggerAsTheAgentSayPromptlyThatAFifoIsWhereTheDeletedRuntimeWas(@TempDir Path dir)
      throws Exception {
    Path runtime = Files.copy(Fixtures.libpulp(), dir.resolve("libpulp.so"));
    TargetProgram program = start(Map.of("LD_PRELOAD", runtime.toString()), Fixtures.fixture("kfix-driver"));
    Files.delete(runtime);
    mkfifo(dir.resolve("libpulp.so (deleted)"));

    CommandResult patches = promptly(() -> ulpAsTheAgent("patches", "-p", program.pid()));
    CommandResult trigger = promptly(() -> ulpAsTheAgent("trigger", "-p", program.pid(), patch("value_v2")));

    assertThat(patches.exitCode()).as(patches.toString()).isEqualTo(1);
    assertThat(patches.stderr()).startsWith("ulp patches: cannot read " + runtime + " (deleted) of process "
        + program.pid()).contains(FIFO);
    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).startsWith("ulp trigger: live patching failed in process " + program.pid())
        .contains(FIFO);
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void aFifoMountedOverAMappedLibraryInTheProcesssOwnMountNamespaceIsNeverOpened(@TempDir Path dir)
      throws Exception {
    TargetProgram program = startInOwnMountNamespace(Fixtures.libpulp());
    Path library = Fixtures.library().toRealPath();
    Path fifo = mkfifo(dir.resolve("fifo"));
    Commands.output("nsenter", "-t", Integer.toString(program.pid()), "-m", "mount", "--bind", fifo.toString(),
        library.toString());
    assertThat(Files.readString(Path.of("/proc/" + program.pid() + "/maps")))
        .as("the maps line shows the path, not deleted").contains(library + "\n");

    CommandResult patches = promptly(() -> ulpAsTheAgent("patches", "-p", program.pid()));
    CommandResult trigger = promptly(() -> ulpAsTheAgent("trigger", "-p", program.pid(), patch("value_v2")));
    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withMapFiles(false))) {
      results = engine.run(program.pid(), List.of(apply("value_v2")));
    }

    assertThat(patches.exitCode()).as(patches.toString()).isZero();
    assertThat(patches.stdout()).contains("PID: " + program.pid()).doesNotContain("libkfix");
    assertThat(patches.stderr()).contains("ulp patches: process " + program.pid() + ": the file process "
        + program.pid() + " maps as " + library + " cannot be read safely (" + library + ": " + FIFO + ")");
    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).contains("cannot read libkfix.so.1 of process " + program.pid()).contains(FIFO);
    assertThat(results).singleElement().satisfies(r -> assertThat(r.message()).contains(FIFO));
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void aPatchPathThatIsALinkInTheProcesssMountNamespaceIsResolvedThereNotOnTheHost(@TempDir Path dir)
      throws Exception {
    // On the host, seen/value_v2.so and real/value_v2.so are one file. In the process's mount
    // namespace, seen/value_v2.so is a link to real/value_v2.so, and real/ is an empty tmpfs.
    Path seen = Files.createDirectories(dir.resolve("seen"));
    Path real = Files.createDirectories(dir.resolve("real"));
    Path patch = Files.copy(Fixtures.patch("value_v2"), seen.resolve("value_v2.so"));
    Files.createLink(real.resolve("value_v2.so"), patch);
    TargetProgram program = startInOwnMountNamespace(Fixtures.libpulp());
    Commands.output("nsenter", "-t", Integer.toString(program.pid()), "-m", "sh", "-c",
        "mount -t tmpfs kulp " + seen + " && ln -s " + real.resolve("value_v2.so") + " " + patch
            + " && mount -t tmpfs kulp " + real);

    CommandResult trigger = promptly(() -> UlpCli.run("trigger", "-p", program.pid(), patch));

    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).contains(patch + " is not visible at the same path inside process " + program.pid());
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void aRuntimeThatNamesAThreadOfAnotherUsersProcessIsRefusedAndThatProcessIsNeverTraced() throws Exception {
    TargetProgram victim = TargetProgram.start(Map.of(), Path.of("/usr/bin/setpriv"), "--reuid=65534",
        "--regid=65534", "--clear-groups", "/bin/sleep", "300");
    programs.add(victim);
    TargetProgram program = start(Map.of("LD_PRELOAD", Fixtures.fakeRuntime().toString(), "KULP_FAKE",
        "tid:" + victim.pid()), Fixtures.fixture("kfix-driver"));
    String refusal = "process " + program.pid() + ": its kulp runtime names thread " + victim.pid()
        + " as its helper, which is not a thread of process " + program.pid();

    // The other process sleeps in clock_nanosleep and nothing wakes it: a ptrace stop would (its
    // context switches would count it), and would leave it in restart_syscall (219).
    Path victimStatus = Path.of("/proc/" + victim.pid() + "/status");
    Path victimSyscall = Path.of("/proc/" + victim.pid() + "/syscall");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(victimSyscall).startsWith("230 "));
    String switchesBefore = contextSwitches(victimStatus);

    CommandResult trigger = promptly(() -> UlpCli.run("trigger", "--timeout", "2", "-p", program.pid(),
        patch("value_v2")));
    CommandResult patches = promptly(() -> UlpCli.run("patches", "-p", program.pid()));
    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults())) {
      results = engine.run(program.pid(), List.of(apply("value_v2")));
    }

    assertThat(contextSwitches(victimStatus)).as("the other process was never woken").isEqualTo(switchesBefore);
    assertThat(Files.readString(victimSyscall)).as("its system call").startsWith("230 ");
    assertThat(Files.readString(victimStatus)).contains("State:\tS (sleeping)").contains("TracerPid:\t0\n");
    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).contains(refusal);
    assertThat(patches.exitCode()).as(patches.toString()).isEqualTo(1);
    assertThat(patches.stderr()).contains(refusal);
    assertThat(results).singleElement().satisfies(r -> assertThat(r.message()).contains(refusal));
  }

  @Test
  void aRuntimeThatStaysCommittingIsGivenUpSoonAfterTheTimeoutSayingWhereToLook() throws Exception {
    TargetProgram program = start(Map.of("LD_PRELOAD", Fixtures.fakeRuntime().toString(), "KULP_FAKE",
        "committing"), Fixtures.fixture("kfix-driver"));

    long start = System.nanoTime();
    CommandResult trigger = UlpCli.run("trigger", "--timeout", "1", "-p", program.pid(), patch("value_v2"));
    Duration ulp = Duration.ofNanos(System.nanoTime() - start);
    start = System.nanoTime();
    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withTimeout(Duration.ofSeconds(1)))) {
      results = engine.run(program.pid(), List.of(apply("value_v2")));
    }
    Duration run = Duration.ofNanos(System.nanoTime() - start);

    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).contains("timed out waiting for the kulp runtime while it was committing; check the"
        + " result with `ulp patches -p " + program.pid() + "`");
    assertThat(ulp).as("ulp trigger --timeout 1, a JVM start included").isLessThan(Duration.ofSeconds(5));
    assertThat(results).singleElement().satisfies(r -> assertThat(r.message()).contains("while it was committing"));
    // The timeout, then a quarter of it for the commit (HelperChannel.commitGrace), then the release.
    assertThat(run).isBetween(Duration.ofMillis(1200), Duration.ofMillis(2500));
    System.out.printf("committing forever: ulp trigger --timeout 1 took %d ms, the engine's run %d ms%n",
        ulp.toMillis(), run.toMillis());
  }

  @Test
  void aRuntimeWhoseMemoryNeverAnswersCostsAnOperationItsTimeLimitAndNoMore() throws Exception {
    // Reading the mailbox's response blocks in the kernel until the process ends (a userfaultfd
    // that never resolves a fault); its header, which a read of the process needs, does not.
    TargetProgram program = start(Map.of("LD_PRELOAD", Fixtures.fakeRuntime().toString(), "KULP_FAKE", "stuck"),
        Fixtures.fixture("kfix-driver"));

    long start = System.nanoTime();
    CommandResult trigger = UlpCli.run("trigger", "--timeout", "1", "-p", program.pid(), patch("value_v2"));
    Duration ulp = Duration.ofNanos(System.nanoTime() - start);
    start = System.nanoTime();
    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withTimeout(Duration.ofSeconds(1)))) {
      results = engine.run(program.pid(), List.of(apply("value_v2")));
    }
    Duration run = Duration.ofNanos(System.nanoTime() - start);
    CommandResult patches = promptly(() -> UlpCli.run("patches", "-p", program.pid()));

    String unknown = "process " + program.pid() + ": the operation did not finish within 4.25 s (a system call on the"
        + " process did not return); whether it changed the process is unknown: check with `ulp patches -p "
        + program.pid() + "`";
    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).contains(unknown);
    assertThat(ulp).as("ulp trigger --timeout 1, a JVM start included").isLessThan(PROMPTLY);
    assertThat(results).singleElement().satisfies(r -> assertThat(r.message()).isEqualTo(unknown));
    // The timeout, a quarter of it for a commit, and the engine's 3 s margin for its own deadlines.
    assertThat(run).isBetween(Duration.ofMillis(4250), Duration.ofMillis(5500));
    assertThat(patches.exitCode()).as("reading the process needs no answer from it: %s", patches).isZero();
    System.out.printf("memory that never answers: ulp trigger --timeout 1 took %d ms, the engine's run %d ms%n",
        ulp.toMillis(), run.toMillis());
  }

  /** kfix-driver with {@code runtime} preloaded, in a mount namespace of its own whose mounts stay its own. */
  @Test
  void aRuntimeOfAnotherKulpReleaseIsLeftAloneSayingWhichAndWhatToDo() throws Exception {
    TargetProgram program = start(Map.of("LD_PRELOAD", Fixtures.fakeRuntime().toString(), "KULP_FAKE", "version:2"),
        Fixtures.fixture("kfix-driver"));
    String why = "process " + program.pid() + ": its kulp runtime speaks ABI version 2 (a newer kulp release), this"
        + " engine version 1: restart the process with this release's libpulp.so, or use the ulp or agent of the"
        + " runtime's release";

    List<OperationResult> results;
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults())) {
      results = engine.run(program.pid(), List.of(apply("value_v2")));
    }
    CommandResult trigger = UlpCli.run("trigger", "-p", program.pid(), patch("value_v2"));
    CommandResult patches = UlpCli.run("patches", "-p", program.pid());

    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(Outcome.SKIPPED);
      assertThat(r.reason()).isEqualTo(Reason.OTHER_RUNTIME_VERSION);
      assertThat(r.message()).isEqualTo(why);
    });
    assertThat(trigger.exitCode()).as("a process named by its PID that cannot be patched: " + trigger).isEqualTo(1);
    assertThat(trigger.stderr()).contains(why);
    assertThat(patches.stdout() + patches.stderr()).contains(why);
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  private TargetProgram startInOwnMountNamespace(Path runtime) throws IOException {
    // Preloaded only after unshare: a process with the runtime's thread cannot unshare its mounts.
    return start(Map.of(), Path.of("/usr/bin/unshare"), "--mount", "--propagation", "private", "/usr/bin/env",
        "LD_PRELOAD=" + runtime, Fixtures.fixture("kfix-driver").toString());
  }

  private TargetProgram start(Map<String, String> env, Path program, String... args) throws IOException {
    TargetProgram started = TargetProgram.start(env, program, args);
    programs.add(started);
    started.await(line -> line.startsWith("ready"));
    return started;
  }

  private static Operation apply(String patch) throws Exception {
    return new Operation.Apply(PatchContainer.read(Fixtures.patch(patch)));
  }

  private static Path mkfifo(Path path) {
    Commands.output("mkfifo", path.toString());
    return path;
  }

  /**
   * Runs ulp as the node agent runs the engine: root without CAP_SYS_ADMIN and
   * CAP_CHECKPOINT_RESTORE, so /proc/PID/map_files is refused and files are read through the
   * process's root.
   */
  static CommandResult ulpAsTheAgent(Object... args) {
    List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=-sys_admin,-checkpoint_restore",
        Fixtures.ulp().toString()));
    for (Object a : args) {
      command.add(a.toString());
    }
    return Commands.run(command, Map.of());
  }

  /** Runs {@code command} and checks it answered within {@link #PROMPTLY}. */
  static CommandResult promptly(java.util.function.Supplier<CommandResult> command) {
    long start = System.nanoTime();
    CommandResult result = command.get();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time taken by: %s", result).isLessThan(PROMPTLY);
    return result;
  }

  /** The voluntary and involuntary context switches of a process, from its status. */
  private static String contextSwitches(Path status) throws IOException {
    return Files.readAllLines(status).stream().filter(l -> l.contains("ctxt_switches")).toList().toString();
  }
}
