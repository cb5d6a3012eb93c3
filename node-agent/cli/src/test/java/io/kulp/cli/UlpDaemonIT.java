package io.kulp.cli;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident engine ({@link UlpDaemon}) as a user meets it: the real launcher hands the verbs
 * that work on processes to {@code ulp-client}, which starts the daemon on first use. Each test has
 * a daemon of its own, in a socket directory of its own ({@code ULP_DAEMON_DIR}), and runs with
 * {@code ULP_DAEMON=require} unless it expects the command to run in a JVM of its own.
 */
class UlpDaemonIT {
  @TempDir Path tmp;
  private Path sockets;
  private TargetProgram program;

  @BeforeEach
  void socketDirectory() throws IOException {
    sockets = Files.createDirectory(tmp.resolve("sockets"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
  }

  @AfterEach
  void stop() {
    if (program != null) {
      program.close();
    }
    daemons().forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  void answersEveryVerbThatWorksOnProcessesAsAJvmOfItsOwnWould() throws Exception {
    start();
    List<CommandResult> resident = session(Map.of());
    assertThat(daemons()).as("the daemon that served them").hasSize(1);
    List<CommandResult> ownJvm = session(Map.of("ULP_DAEMON", "off"));

    assertThat(resident).isEqualTo(ownJvm);
    assertThat(resident).extracting(CommandResult::exitCode).containsExactly(0, 0, 1, 0, 0, 0, 1, 2, 255);
  }

  /** Applies, checks, lists and reverts, then fails in three ways; what a command prints at a moment is left out. */
  private List<CommandResult> session(Map<String, String> env) {
    String pid = Integer.toString(program.pid());
    List<CommandResult> results = new ArrayList<>();
    results.add(ulp(env, "trigger", "-p", pid, patch("value_v2")));
    results.add(ulp(env, "trigger", "-p", pid, patch("value_v2")));
    results.add(ulp(env, "check", "-p", pid, patch("value_v2")));
    CommandResult listed = ulp(env, "patches", "-p", pid);
    results.add(new CommandResult(listed.exitCode(), listed.stdout().replaceAll("applied \\S+ from", "applied at T from"),
        listed.stderr()));
    results.add(new CommandResult(ulp(env, "-p", pid, "messages").exitCode(), "", "")); // the ring grows
    results.add(ulp(env, "trigger", "-p", pid, "--revert", patch("value_v2")));
    results.add(ulp(env, "trigger", "-p", pid, tmp.resolve("missing.so").toString()));
    results.add(ulp(env, "trigger", "-p", "0", patch("value_v2")));
    results.add(ulp(env, "check", "-p", pid, tmp.resolve("missing.so").toString()));
    return results;
  }

  @Test
  void readsRelativePathsFromTheClientsWorkingDirectory() throws Exception {
    start();
    CommandResult applied = ulpIn(Fixtures.patchesDir(), Map.of(), "trigger", "-p", program.pid(), "value_v2.so");
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("2");

    CommandResult elsewhere = ulpIn(tmp, Map.of(), "trigger", "-p", program.pid(), "--revert", "value_v2.so");
    assertThat(elsewhere.exitCode()).isEqualTo(1);
    assertThat(elsewhere.stderr()).isEqualTo("ulp trigger: " + tmp.resolve("value_v2.so") + ": no such file\n");
    assertThat(daemons()).hasSize(1);
  }

  @Test
  void aCommandTheDaemonTookRunsToItsEndWhenTheClientIsKilled() throws Exception {
    Process client = aTriggerTheDaemonIsInTheMiddleOf();
    client.destroyForcibly().waitFor();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(program.ask("value", "value")).isEqualTo("2"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !traced());
  }

  @Test
  void aDaemonKilledDuringACommandFailsItSayingSoAndLeavesTheProcessWholeAndUntraced() throws Exception {
    Process client = aTriggerTheDaemonIsInTheMiddleOf();
    daemons().forEach(ProcessHandle::destroyForcibly);

    assertThat(client.waitFor()).isEqualTo(1);
    assertThat(new String(client.getErrorStream().readAllBytes()))
        .contains("ulp: the resident engine stopped during the command; its log is " + sockets);
    await().atMost(Duration.ofSeconds(10)).until(() -> !traced());
    assertThat(program.ask("value", "value")).isIn("1", "2");

    CommandResult next = ulp(Map.of(), "trigger", "-p", program.pid(), patch("value_v3"));
    assertThat(next.exitCode()).as("a new daemon serves the next command: " + next).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("3");
  }

  @Test
  void aClientWithFewerPrivilegesRunsItsCommandInAJvmOfItsOwn() throws Exception {
    start();
    assertThat(ulp(Map.of(), "patches", "-p", program.pid()).exitCode()).isZero();

    // One capability fewer, then no_new_privs: the daemon has more, and must not lend it.
    List<String> lessCapable = List.of("setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "--");
    CommandResult required = ulpUnder(lessCapable, Map.of(), "patches", "-p", program.pid());
    assertThat(required.exitCode()).isEqualTo(1);
    assertThat(required.stderr()).contains("the daemon is not of this client's identity");
    CommandResult applied = ulpUnder(lessCapable, Map.of("ULP_DAEMON", "auto"), "trigger", "-p", program.pid(),
        patch("value_v2"));
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("2");
    CommandResult reverted = ulpUnder(List.of("setpriv", "--no-new-privs", "--"), Map.of("ULP_DAEMON", "auto"),
        "trigger", "-p", program.pid(), "--revert", patch("value_v2"));
    assertThat(reverted.exitCode()).as(reverted.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void theDaemonReadsItsClientsIdentityFromTheKernelNotFromTheClient() throws Exception {
    start();
    assertThat(ulp(Map.of(), "patches", "-p", program.pid()).exitCode()).isZero();
    // A client of its own making, which skips ulp-client's checks: the daemon's first frame.
    String client = "import socket, struct, sys\n"
        + "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\n"
        + "body = b''.join(w.encode() + b'\\0' for w in ['2', '/', '000', '3', 'patches', '-p', sys.argv[2]])\n"
        + "try: s.sendall(struct.pack('<I', len(body)) + body)\n"
        + "except BrokenPipeError: pass  # refused before reading: the answer is waiting\n"
        + "print(s.recv(1).decode())\n";
    List<String> python = List.of("python3", "-c", client, socketPath().toString(), Integer.toString(program.pid()));

    CommandResult sameIdentity = Commands.run(python, Map.of());
    List<String> lessCapable = new ArrayList<>(List.of("setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice",
        "--"));
    lessCapable.addAll(python);
    CommandResult fewerCapabilities = Commands.run(lessCapable, Map.of());

    assertThat(sameIdentity.stdout()).as(sameIdentity.toString()).isEqualTo("a\n"); // taken (and, without "go", never run)
    assertThat(fewerCapabilities.stdout()).as(fewerCapabilities.toString()).isEqualTo("f\n");
    assertThat(Files.readString(Path.of(socketPath() + ".log"))).contains("runs its command itself: another identity");
  }

  private CommandResult ulpUnder(List<String> wrapper, Map<String, String> env, Object... args) {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(command(args));
    return Commands.run(command, daemonEnv(env));
  }

  @Test
  void aSocketDirectoryOthersCanEnterIsNotUsedAndTheCommandRunsInAJvmOfItsOwn() throws Exception {
    start();
    Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxr-xr-x"));
    CommandResult required = ulp(Map.of(), "patches", "-p", program.pid());
    assertThat(required.stderr()).contains("no socket directory that only this user can enter");
    CommandResult r = ulp(Map.of("ULP_DAEMON", "auto"), "trigger", "-p", program.pid(), patch("value_v2"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("2");
    try (Stream<Path> files = Files.list(sockets)) {
      assertThat(files).isEmpty();
    }
    assertThat(daemons()).isEmpty();
  }

  @Test
  void servesCommandsFromManyClientsAtOnce() throws Exception {
    start();
    String expected = ulp(Map.of("ULP_DAEMON", "off"), "check", "-p", program.pid(), patch("value_v2")).stdout();
    List<CompletableFuture<CommandResult>> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(CompletableFuture.supplyAsync(() -> ulp(Map.of(), "check", "-p", program.pid(), patch("value_v2"))));
    }
    for (CompletableFuture<CommandResult> client : clients) {
      CommandResult r = client.join();
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.stdout()).isEqualTo(expected);
    }
    assertThat(daemons()).hasSize(1);
  }

  @Test
  void aDaemonThatDoesNotTakeTheCommandInTimeLeavesItToAJvmOfItsOwn() throws Exception {
    start();
    try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      silent.bind(UnixDomainSocketAddress.of(socketPath())); // accepts (the backlog), never answers
      long started = System.nanoTime();
      CommandResult r = ulp(Map.of("ULP_DAEMON", "auto"), "trigger", "-p", program.pid(), patch("value_v2"));

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(15),
          Duration.ofSeconds(40));
      assertThat(program.ask("value", "value")).isEqualTo("2");
    }
  }

  @Test
  void whenNoDaemonCanStartTheCommandRunsInAJvmOfItsOwn() throws Exception {
    start();
    // A daemon serves a socket only while it holds the socket's lock: this one never can.
    try (FileChannel lockFile = FileChannel.open(Path.of(socketPath() + ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = lockFile.lock()) {
      CommandResult r = ulp(Map.of("ULP_DAEMON", "auto"), "trigger", "-p", program.pid(), patch("value_v2"));

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(program.ask("value", "value")).isEqualTo("2");
      assertThat(daemons()).isEmpty();
    }
  }

  @Test
  void leavesAfterItsIdleTimeAndRemovesItsSocket() throws Exception {
    start();
    assertThat(ulp(Map.of("ULP_DAEMON_IDLE", "1"), "patches", "-p", program.pid()).exitCode()).isZero();
    assertThat(daemons()).hasSize(1);

    await().atMost(Duration.ofSeconds(20)).until(() -> daemons().isEmpty());
    try (Stream<Path> files = Files.list(sockets)) {
      assertThat(files.filter(p -> p.toString().endsWith(".sock"))).isEmpty();
    }
  }

  @Test
  void theLauncherHandsTheDaemonExactlyTheVerbsItRuns() throws IOException {
    Matcher routed = Pattern.compile("\\n\\s*([a-z_|]+)\\) exec \"\\$here/ulp-client\"")
        .matcher(Files.readString(Fixtures.ulp()));
    assertThat(routed.find()).as("the launcher's case of verbs for ulp-client").isTrue();

    assertThat(Set.of(routed.group(1).split("\\|"))).isEqualTo(UlpDaemon.RESIDENT_VERBS.stream()
        .map(v -> v.getAnnotation(picocli.CommandLine.Command.class).name()).collect(Collectors.toSet()));
  }

  @Test
  void verbsThatReadFilesOnlyStartNoDaemon() {
    CommandResult r = ulp(Map.of(), "livepatchable", Fixtures.library().toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(daemons()).isEmpty();
  }

  /** Starts the program and a `ulp trigger` on it, slowed down, and returns its client once the daemon's engine has seized the program. */
  private Process aTriggerTheDaemonIsInTheMiddleOf() throws Exception {
    start();
    Process client = startUlp(Map.of("KULP_DEBUG_STEP_DELAY_MS", "500"), "trigger", "-q", "-p",
        Integer.toString(program.pid()), patch("value_v2"));
    awaitSeized();
    return client;
  }

  private void start() throws Exception {
    program = TargetProgram.start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()), Fixtures.fixture("kfix-driver"));
    program.await(l -> l.startsWith("ready"));
  }

  private Map<String, String> daemonEnv(Map<String, String> env) {
    // require: a command the daemon does not run fails, rather than quietly running in a JVM of its own.
    Map<String, String> all = new HashMap<>(Map.of("ULP_DAEMON_DIR", sockets.toString(), "ULP_DAEMON_IDLE", "60",
        "ULP_DAEMON", "require"));
    all.putAll(env);
    return all;
  }

  private static List<String> command(Object... args) {
    List<String> command = new ArrayList<>(List.of(Fixtures.ulp().toString()));
    for (Object a : args) {
      command.add(a.toString());
    }
    return command;
  }

  private CommandResult ulp(Map<String, String> env, Object... args) {
    return ulpIn(null, env, args);
  }

  private CommandResult ulpIn(Path directory, Map<String, String> env, Object... args) {
    return Commands.run(command(args), daemonEnv(env), directory);
  }

  private Process startUlp(Map<String, String> env, String... args) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command((Object[]) args)).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(daemonEnv(env));
    return pb.start();
  }

  /**
   * Where ulp-client looks for the daemon: the build named in the launcher, and FNV-1a of the
   * launcher's path, as ulp-client.c names it.
   */
  private Path socketPath() throws IOException {
    Matcher build = Pattern.compile("ulp-client\" (\\w+) ").matcher(Files.readString(Fixtures.ulp()));
    assertThat(build.find()).as("the build in the launcher").isTrue();
    long hash = 0xcbf29ce484222325L;
    for (byte b : Fixtures.ulp().toRealPath().toString().getBytes(StandardCharsets.UTF_8)) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return sockets.resolve("ulp-" + build.group(1) + "-" + String.format("%016x", hash) + ".sock");
  }

  /** The daemons of this test: JVMs serving a socket in its directory. */
  private List<ProcessHandle> daemons() {
    return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(List::of)
        .map(a -> a.contains("io.kulp.cli.UlpDaemon") && a.stream().anyMatch(s -> s.startsWith(sockets.toString())))
        .orElse(false)).toList();
  }

  private boolean traced() throws IOException {
    return !Files.readString(Path.of("/proc", Integer.toString(program.pid()), "status")).contains("TracerPid:\t0\n");
  }

  /** Waits until the daemon's engine has seized the program: KULP_DEBUG_STEP_DELAY_MS announces it in the daemon's log. */
  private void awaitSeized() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
      try (Stream<Path> files = Files.list(sockets)) {
        for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
          if (Files.readString(log).contains("kulp-debug: step seized")) {
            return true;
          }
        }
      }
      return false;
    });
  }
}
