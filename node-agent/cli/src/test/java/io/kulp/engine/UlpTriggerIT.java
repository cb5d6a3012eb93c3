package io.kulp.engine;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's cases again, now through the real {@code ulp trigger} on a running program,
 * each checked in what the program itself prints.
 */
class UlpTriggerIT {
  private TargetProgram program;

  private TargetProgram start(Map<String, String> env) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("LD_PRELOAD", Fixtures.libpulp().toString());
    program = TargetProgram.start(all, Fixtures.fixture("kfix-driver"));
    program.await(l -> l.startsWith("ready"));
    return program;
  }

  private TargetProgram start() throws Exception {
    return start(Map.of());
  }

  @AfterEach
  void stop() {
    if (program != null) {
      program.close();
    }
  }

  private CommandResult trigger(Object... args) {
    Object[] all = new Object[args.length + 3];
    all[0] = "trigger";
    all[1] = "-p";
    all[2] = program.pid();
    System.arraycopy(args, 0, all, 3, args.length);
    return UlpCli.run(all);
  }

  @Test
  void appliesAPatchAndTheProgramPrintsTheNewValue() throws Exception {
    start();
    assertThat(program.ask("value", "value")).isEqualTo("1");
    CommandResult r = trigger(patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("live patching succeeded\n");
    assertThat(program.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void patchesAFunctionOfTheMainProgramAndRevertsIt() throws Exception {
    program = TargetProgram.start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()), Fixtures.fixture("kfix-main"));
    program.await(l -> l.equals("ready"));
    assertThat(program.ask("value", "value")).isEqualTo("1");

    CommandResult applied = trigger(patch("main_value_v2"));
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(applied.stdout()).isEqualTo("live patching succeeded\n");
    assertThat(program.ask("value", "value")).isEqualTo("2");
    CommandResult listed = UlpCli.run("patches", "-p", program.pid());
    assertThat(listed.stdout()).as(listed.toString()).contains("kfix-main");

    CommandResult reverted = trigger("--revert", patch("main_value_v2"));
    assertThat(reverted.exitCode()).as(reverted.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void revertsThePatchAndTheProgramIsBackToTheOriginal() throws Exception {
    start();
    trigger(patch("value_v2"));
    CommandResult r = trigger("--revert", patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void stacksPatchesAndTheNewestWins() throws Exception {
    start();
    CommandResult r = trigger(patch("value_v2"), patch("value_v3"), patch("value_v4"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("summary: 3 applied, 0 reverted, 0 skipped, 0 failed");
    assertThat(program.ask("value", "value")).isEqualTo("4");
  }

  @Test
  void revertsTheMiddleOfTheStackAndTheNewestStaysActive() throws Exception {
    start();
    trigger(patch("value_v2"), patch("value_v3"), patch("value_v4"));
    assertThat(trigger("--revert", patch("value_v3")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("4");
    assertThat(trigger("--revert", patch("value_v4")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void revertAllRevertsEveryPatchOfTheLibrary() throws Exception {
    start();
    trigger(patch("value_v2"), patch("counter"), patch("endbr"));
    CommandResult r = trigger("--revert-all=libkfix.so.1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("1");
    assertThat(program.ask("endbr", "endbr")).isEqualTo("100");
    assertThat(UlpCli.run("patches", "-p", program.pid()).stdout()).contains("Applied patches: none");
  }

  @Test
  void revertAllThenApplyIsOneCommand() throws Exception {
    start();
    trigger(patch("value_v2"), patch("value_v3"));
    CommandResult r = trigger("--revert-all=libkfix.so.1", patch("value_v4"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("4");
    assertThat(UlpCli.run("patches", "-p", program.pid()).stdout()).containsOnlyOnce("on libkfix.so.1");
  }

  @Test
  void reachesTheLibrarysPrivateData() throws Exception {
    start();
    program.ask("counter", "counter");
    assertThat(trigger(patch("counter")).exitCode()).isZero();
    assertThat(program.ask("counter", "counter")).isEqualTo("101");
  }

  @Test
  void reachesTheLibrarysThreadLocalData() throws Exception {
    start();
    assertThat(program.ask("tls", "tls")).isEqualTo("1");
    assertThat(trigger(patch("tls")).exitCode()).isZero();
    assertThat(program.ask("tls", "tls")).isEqualTo("1001");
  }

  @Test
  void patchesAStaticFunctionAndOneThatStartsWithEndbr64() throws Exception {
    start();
    assertThat(trigger(patch("hidden"), patch("endbr")).exitCode()).isZero();
    assertThat(program.ask("hidden 5", "hidden")).isEqualTo("70");
    assertThat(program.ask("endbr", "endbr")).isEqualTo("200");
  }

  @Test
  void patchesFunctionsWhosePaddingCrossesAPageOrIsUnaligned() throws Exception {
    start();
    assertThat(trigger(patch("layout")).exitCode()).isZero();
    assertThat(program.ask("pagecross", "pagecross")).isEqualTo("70");
    assertThat(program.ask("unaligned", "unaligned")).isEqualTo("90");
  }

  @Test
  void skipsAProcessWhoseLibraryIsAnotherBuildAndShowsBothIds() throws Exception {
    start();
    CommandResult r = trigger(patch("value_other"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).startsWith("live patching skipped: libkfix.so.1 buildid mismatch: the patch wants ")
        .containsPattern("wants [0-9a-f]{40}, process \\d+ has [0-9a-f]{40}");
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void skipsAProcessThatDoesNotLoadTheTargetLibrary() throws Exception {
    start();
    CommandResult r = trigger(Fixtures.runtimeDir().resolve("demo/fix_cve_2026_4242.so"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("live patching skipped: libauth.so.1 is not loaded in process " + program.pid()
        + "\n");
  }

  @Test
  void skipsAPatchThatIsAlreadyApplied() throws Exception {
    start();
    trigger(patch("value_v2"));
    CommandResult r = trigger(patch("value_v2"));
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("already applied");
  }

  @Test
  void failsWhenTheContainerLacksANewFunctionAndChangesNothing(@TempDir Path dir) throws Exception {
    start();
    // A container whose metadata names a function it does not define (packed for another build of itself).
    Path container = dir.resolve("missing.so");
    Files.copy(Fixtures.patch("value_v2"), container);
    Path section = dir.resolve("ulp.bin");
    Commands.output("objcopy", "--dump-section", ".ulp=" + section, container.toString());
    byte[] blob = Files.readAllBytes(section);
    String text = new String(blob, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf("kfix_value_v2");
    blob[at + "kfix_value_v".length()] = 'X';
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    java.nio.ByteBuffer.wrap(blob).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(12, 0);
    crc.update(blob);
    java.nio.ByteBuffer.wrap(blob).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(12, (int) crc.getValue());
    Files.write(section, blob);
    Commands.output("objcopy", "--update-section", ".ulp=" + section, container.toString());

    CommandResult r = trigger(container);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).contains("function kfix_value_vX not found");
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void reportsAProcessThatDoesNotExist() {
    CommandResult r = UlpCli.run("trigger", "-p", "4194000", patch("value_v2"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("no such process: 4194000");
  }

  @Test
  void tellsHowToLoadTheRuntimeWhenAProcessLacksIt() throws Exception {
    program = TargetProgram.start(Map.of(), Fixtures.fixture("kfix-driver"));
    program.await(l -> l.startsWith("ready"));
    CommandResult r = trigger(patch("value_v2"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("libpulp.so is not loaded in process " + program.pid())
        .contains("start it with LD_PRELOAD=");
  }

  @Test
  void explainsAPermissionDenialWithTheFix() throws Exception {
    start();
    List<String> asNobody = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", Fixtures.ulp().toString(), "trigger", "-p", Integer.toString(program.pid()),
        patch("value_v2")));
    CommandResult r = Commands.run(asNobody, Map.of("HOME", "/tmp"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).contains("permission denied for process " + program.pid()).contains("CAP_SYS_PTRACE");
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void patchesAProcessUnderSystemdsMemoryDenyWriteExecute() throws Exception {
    start(Map.of("KFIX_SECCOMP", "mdwe"));
    assertThat(trigger(patch("value_v2"), patch("value_v3")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("3");
    assertThat(UlpCli.run("messages", "-p", program.pid()).stdout()).contains("forbids writable code");
  }

  @Test
  void patchesAProcessThatSetTheKernelsMdwe() throws Exception {
    start(Map.of("KFIX_MDWE", "1"));
    assertThat(trigger(patch("multi")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("50");
    assertThat(trigger("--revert", patch("multi")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void usesTheFastPathWhenTheSeccompFilterAllowsIt() throws Exception {
    start(Map.of("KFIX_SECCOMP", "allow"));
    assertThat(trigger(patch("value_v2")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("2");
    assertThat(UlpCli.run("messages", "-p", program.pid()).stdout()).contains("waiting for the engine to check")
        .doesNotContain("forbids writable code");
  }

  @Test
  void refusesAProcessWhoseSeccompFilterWouldKillItAndLeavesItRunning() throws Exception {
    start(Map.of("KFIX_SECCOMP", "kill-open"));
    CommandResult r = trigger(patch("value_v2"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("seccomp filter would kill it");
    assertThat(program.ask("value", "value")).isEqualTo("1");
  }

  @Test
  void aThreadHoldingTheLoaderLockMakesTheApplyTimeOutNotDeadlockNorApplyLate() throws Exception {
    start();
    program.ask("slowload", "slowload"); // a thread of the program now holds the loader lock for 1.5 s
    long start = System.nanoTime();
    CommandResult r = trigger("--timeout=0.4", patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).contains("timed out").contains("nothing was changed");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1400);
    assertThat(program.ask("value", "value")).as("the program kept running meanwhile").isEqualTo("1");
    // Once the loader is free, the runtime finds the deadline passed and drops the request.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        UlpCli.run("messages", "-p", program.pid()).stdout().contains("deadline passed while loading the patch"));
    assertThat(program.ask("value", "value")).as("not applied late").isEqualTo("1");
    assertThat(trigger(patch("value_v2")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void checkTellsWhetherAPatchIsApplied() throws Exception {
    start();
    // libpulp's exit status: 0 not applied, 1 applied.
    assertThat(UlpCli.run("check", "-p", program.pid(), patch("value_v2")).exitCode()).isZero();
    trigger(patch("value_v2"));
    CommandResult r = UlpCli.run("check", "-p", program.pid(), patch("value_v2"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stdout()).contains("is applied in process " + program.pid());
  }

  @Test
  void patchesListsTheRuntimeLibrariesAndPatchesWithLabels() throws Exception {
    start();
    trigger(patch("value_v2"));
    CommandResult r = UlpCli.run("patches", "-p", program.pid());
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("PID: " + program.pid() + ", name: kfix-driver")
        .contains("fixtures/libkfix.so.1").contains("on libkfix.so.1").contains("labels: CVE-2026-0001")
        .contains("kfix_value -> kfix_value_v2");
  }

  @Test
  void patchesReadsMemoryOnlySoItWorksWhileADebuggerHoldsTheProcess(@TempDir Path dir) throws Exception {
    start();
    trigger(patch("value_v2"));
    Path attached = dir.resolve("attached");
    Process gdb = new ProcessBuilder("gdb", "-q", "-batch", "-p", Integer.toString(program.pid()), "-ex",
        "shell touch " + attached, "-ex", "shell sleep 30").redirectErrorStream(true).start();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Files.exists(attached));
      CommandResult patches = UlpCli.run("patches", "-p", program.pid());
      assertThat(patches.exitCode()).as(patches.toString()).isZero();
      assertThat(patches.stdout()).contains("kfix_value -> kfix_value_v2");
      CommandResult trigger = trigger(patch("value_v3"));
      assertThat(trigger.exitCode()).isEqualTo(1);
      assertThat(trigger.stderr()).contains("is being traced by process " + gdb.pid());
    } finally {
      gdb.destroyForcibly().waitFor();
    }
    assertThat(program.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void messagesShowsWhatTheRuntimeDid() throws Exception {
    start();
    trigger(patch("value_v2"));
    trigger("--revert", patch("value_v2"));
    String out = UlpCli.run("messages", "-p", program.pid()).stdout();
    assertThat(out).contains("info: applied patch").contains("info: reverted 1 patch");
  }
}
