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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kulp used as a libpulp user uses libpulp: the command lines of libpulp's README and of its
 * tests/*.py, unchanged, on a running kfix-driver, each checked in what the program prints.
 * The driver runs under a name of its own, so that a wildcard over process names finds only the
 * processes of one test.
 */
class LibpulpCommandLinesIT {
  @TempDir static Path dir;
  private static Path driver;
  private static String name;
  private final List<TargetProgram> programs = new ArrayList<>();

  @BeforeAll
  static void copyTheDriverUnderAUniqueName() throws Exception {
    name = "kl" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    driver = dir.resolve(name);
    Files.copy(Fixtures.fixture("kfix-driver"), driver);
    Files.copy(Fixtures.library(), dir.resolve("libkfix.so.1"));
  }

  private TargetProgram start(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("LD_PRELOAD", Fixtures.libpulp().toString());
    TargetProgram program = TargetProgram.start(all, driver);
    programs.add(program);
    program.await(l -> l.startsWith("ready"));
    return program;
  }

  private TargetProgram start() throws Exception {
    return start(Map.of());
  }

  @AfterEach
  void stop() {
    programs.forEach(TargetProgram::close);
  }

  // --- options anywhere, as libpulp's argp parser takes them ---

  @Test
  void optionsBeforeTheVerbAreTheVerbsOptions() throws Exception {
    TargetProgram p = start();
    String pid = Integer.toString(p.pid());
    assertThat(UlpCli.run("-p", pid, "check", patch("value_v2")).exitCode()).isEqualTo(0);

    CommandResult trigger = UlpCli.run("-p", pid, "trigger", patch("value_v2"));
    assertThat(trigger.exitCode()).as(trigger.toString()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");

    CommandResult check = UlpCli.run("-p", pid, "check", patch("value_v2"));
    assertThat(check.exitCode()).as(check.toString()).isEqualTo(1);
    CommandResult quiet = UlpCli.run("-q", "-p", pid, "check", patch("value_v2"));
    assertThat(quiet.exitCode()).isEqualTo(1);
    assertThat(quiet.stdout()).isEmpty();
    CommandResult patches = UlpCli.run("-p", pid, "patches");
    assertThat(patches.exitCode()).as(patches.toString()).isZero();
    assertThat(patches.stdout()).contains("PID: " + pid).contains("kfix_value -> kfix_value_v2");
  }

  @Test
  void optionsAfterThePatchAsLibpulpsTestsuiteWritesThem() throws Exception {
    TargetProgram p = start();
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"), "-v", "-r", "3");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).startsWith("live patching succeeded: applied patch");
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void anOptionBeforeTheVerbThatTheVerbDoesNotHaveIsStillAUsageError() {
    CommandResult r = UlpCli.run("-p", "1", "dump", patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.stderr()).contains("Unknown option");
  }

  // --- ulp check: libpulp's exit status ---

  @Test
  void checkExitsOneWhenAppliedZeroWhenNotAndNeitherWhenItCannotTell() throws Exception {
    TargetProgram p = start();
    CommandResult before = UlpCli.run("check", "-p", p.pid(), patch("value_v2"));
    assertThat(before.exitCode()).as(before.toString()).isZero();
    assertThat(before.stdout()).contains("is not applied in process " + p.pid());
    UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"));
    CommandResult after = UlpCli.run("check", "-p", p.pid(), patch("value_v2"));
    assertThat(after.exitCode()).as(after.toString()).isEqualTo(1);
    assertThat(after.stdout()).contains("is applied in process " + p.pid());

    CommandResult noProcess = UlpCli.run("-p", "4194000", "check", patch("value_v2"));
    assertThat(noProcess.exitCode()).as(noProcess.toString()).isEqualTo(255);
    assertThat(noProcess.stderr()).contains("no such process: 4194000");
  }

  // --- --revert-all ---

  @Test
  void revertAllTargetRevertsThePatchesOfTheLibraryThePatchTargetsThenAppliesIt() throws Exception {
    // libpulp's tests/revert_all_target1.py
    TargetProgram p = start();
    UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"));
    UlpCli.run("trigger", "-p", p.pid(), patch("counter"));
    assertThat(p.ask("counter", "counter")).isEqualTo("100");

    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), "--revert-all", "target", patch("value_v3"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("3");
    assertThat(p.ask("counter", "counter")).as("counter's patch, of the same library, was reverted").isEqualTo("101");
    assertThat(UlpCli.run("check", "-p", p.pid(), patch("value_v2")).exitCode()).isZero();

    assertThat(UlpCli.run("trigger", "-p", p.pid(), patch("value_v2")).exitCode()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void revertAllTargetWithoutAPatchIsRefusedAndChangesNothing() throws Exception {
    // libpulp's tests/revert_all_target2.py
    TargetProgram p = start();
    UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"));
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), "--revert-all", "target");
    assertThat(r.exitCode()).as(r.toString()).isNotZero();
    assertThat(r.stderr()).contains("--revert-all=target");
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void revertAllWithSeveralPatchesRevertsAndAppliesEachInTurn() throws Exception {
    TargetProgram p = start();
    UlpCli.run("trigger", "-p", p.pid(), patch("counter"));
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), "--revert-all=libkfix.so.1", patch("value_v3"),
        patch("value_v4"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("summary: 2 applied, 0 reverted, 0 skipped, 0 failed");
    assertThat(p.ask("value", "value")).isEqualTo("4");
    assertThat(p.ask("counter", "counter")).isEqualTo("1");
    // As in libpulp, each patch first reverts every patch of the library: only the last remains.
    assertThat(UlpCli.run("patches", "-p", p.pid()).stdout()).containsOnlyOnce("on libkfix.so.1");
  }

  @Test
  void revertAllTargetOverADirectoryOfPatchesForSeveralBuildsReplacesOnlyWhereTheBuildMatches(@TempDir Path fixes)
      throws Exception {
    Files.copy(Fixtures.patch("value_other"), fixes.resolve("value_other.so"));
    Files.copy(Fixtures.patch("value_v3"), fixes.resolve("value_v3.so"));
    TargetProgram p = start();
    UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"));
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), "--revert-all=target", fixes.resolve("*.so"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("summary: 1 applied, 0 reverted, 1 skipped, 0 failed");
    assertThat(p.ask("value", "value")).isEqualTo("3");
    assertThat(UlpCli.run("patches", "-p", p.pid()).stdout()).containsOnlyOnce("on libkfix.so.1");
  }

  // --- -R PREFIX and --disable-seccomp ---

  @Test
  void rootPrefixIsPutBeforeThePathTheProcessLoadsThePatchFrom() throws Exception {
    TargetProgram p = start();
    // libpulp's tests/prefix.py: a prefix that leads nowhere, and the process says where it looked.
    CommandResult silly = UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"), "-R", "/silly-prefix/");
    assertThat(silly.exitCode()).as(silly.toString()).isEqualTo(1);
    assertThat(UlpCli.run("messages", "-p", p.pid()).stdout())
        .contains("/silly-prefix" + Fixtures.patch("value_v2").toRealPath());
    assertThat(p.ask("value", "value")).isEqualTo("1");

    // A prefix under which the process sees this filesystem: here a link to /.
    Path root = dir.resolve("root");
    Files.createSymbolicLink(root, Path.of("/"));
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), "--root", root, patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");
    assertThat(UlpCli.run("patches", "-p", p.pid()).stdout())
        .contains("from " + root + Fixtures.patch("value_v2").toRealPath());
  }

  @Test
  void disableSeccompIsAcceptedAndTheProcessUnderAWxFilterIsPatchedAndLives() throws Exception {
    // libpulp's tests/seccomp_disable.py
    TargetProgram p = start(Map.of("KFIX_SECCOMP", "mdwe"));
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"), "--disable-seccomp");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  // --- the runtime's switches: LIBPULP_DISABLE_ON_* ---

  @Test
  void disableOnPathKeepsThePatchOutAndSaysWhy() throws Exception {
    TargetProgram off = start(Map.of("LIBPULP_DISABLE_ON_PATH", "/nowhere/*:" + dir + "/*"));
    TargetProgram on = start(Map.of("LIBPULP_DISABLE_ON_PATH", "/nowhere/*"));
    CommandResult r = UlpCli.run("trigger", "-p", name + "*", patch("value_v2"), "-v");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("summary: 1 applied, 0 reverted, 1 skipped, 0 failed")
        .contains(off.pid() + " (" + name + "): skipped: ")
        .contains("runtime disabled: LIBPULP_DISABLE_ON_PATH keeps live patching out of process " + off.pid());
    assertThat(off.ask("value", "value")).isEqualTo("1");
    assertThat(on.ask("value", "value")).isEqualTo("2");
    assertThat(UlpCli.run("messages", "-p", off.pid()).stdout())
        .contains("live patching disabled by user request: LIBPULP_DISABLE_ON_PATH pattern " + dir + "/* matches "
            + driver);
    assertThat(UlpCli.run("patches", "-p", off.pid()).stdout())
        .contains("Live patching: disabled by LIBPULP_DISABLE_ON_PATH");
  }

  @Test
  void disableOnUsersMatchesTheUidAndDisableOnGroupsTheGroupName() throws Exception {
    String uid = Commands.output("id", "-u").trim();
    String group = Commands.output("id", "-gn").trim();
    TargetProgram byUid = start(Map.of("LIBPULP_DISABLE_ON_USERS", "65000:" + uid));
    TargetProgram byGroup = start(Map.of("LIBPULP_DISABLE_ON_GROUPS", "nogroup-x:" + group.charAt(0) + "*"));
    TargetProgram other = start(Map.of("LIBPULP_DISABLE_ON_USERS", "65000", "LIBPULP_DISABLE_ON_GROUPS", "65000"));

    CommandResult r = UlpCli.run("trigger", "-p", byUid.pid(), patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("live patching skipped: runtime disabled: LIBPULP_DISABLE_ON_USERS keeps live"
        + " patching out of process " + byUid.pid() + " (see `ulp messages -p " + byUid.pid() + "`)\n");
    CommandResult g = UlpCli.run("trigger", "-p", byGroup.pid(), patch("value_v2"));
    assertThat(g.stdout()).contains("runtime disabled: LIBPULP_DISABLE_ON_GROUPS");
    assertThat(UlpCli.run("trigger", "-p", other.pid(), patch("value_v2")).exitCode()).isZero();

    assertThat(byUid.ask("value", "value")).isEqualTo("1");
    assertThat(byGroup.ask("value", "value")).isEqualTo("1");
    assertThat(other.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void setPatchableDisableKeepsNewPatchesOutUntilEnabledAgain() throws Exception {
    // libpulp's tests/set_patchable.py
    TargetProgram p = start();
    assertThat(UlpCli.run("trigger", "-p", p.pid(), patch("counter")).exitCode()).isZero();
    assertThat(p.ask("counter", "counter")).isEqualTo("100");

    CommandResult off = UlpCli.run("set_patchable", "-p", p.pid(), "disable");
    assertThat(off.exitCode()).as(off.toString()).isZero();
    assertThat(off.stdout()).isEqualTo("process " + p.pid() + ": live patching is now disabled\n");
    CommandResult refused = UlpCli.run("trigger", "-p", p.pid(), patch("value_v2"));
    assertThat(refused.exitCode()).as(refused.toString()).isZero();
    assertThat(refused.stdout()).contains("runtime disabled: ulp set_patchable disable");
    assertThat(p.ask("value", "value")).isEqualTo("1");
    assertThat(p.ask("counter", "counter")).as("applied patches stay").isEqualTo("200");

    assertThat(UlpCli.run("set_patchable", "-p", p.pid(), "enable").exitCode()).isZero();
    assertThat(UlpCli.run("trigger", "-p", p.pid(), patch("value_v2")).exitCode()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void setPatchableEnableLiftsADisableOnUsersSwitchAsInLibpulp() throws Exception {
    TargetProgram p = start(Map.of("LIBPULP_DISABLE_ON_USERS", Commands.output("id", "-u").trim()));
    CommandResult on = UlpCli.run("set_patchable", "enable", "-p", name + "*");
    assertThat(on.exitCode()).as(on.toString()).isZero();
    assertThat(on.stdout()).contains("process " + p.pid() + ": live patching is now enabled (was disabled by"
        + " LIBPULP_DISABLE_ON_USERS)");
    assertThat(UlpCli.run("trigger", "-p", p.pid(), patch("value_v2")).exitCode()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  // --- messages that scripts match ---

  @Test
  void theMessageRingRecordsThatTheRuntimeWasLoaded() throws Exception {
    TargetProgram p = start();
    CommandResult r = UlpCli.run("messages", "-p", p.pid());
    assertThat(r.stdout().lines().findFirst()).get().asString()
        .endsWith("info: libpulp.so (kulp runtime, ABI 1) loaded");
  }

  @Test
  void anotherBuildOfTheLibrarySaysBuildidMismatchAsLibpulpDoes() throws Exception {
    // libpulp's tests/buildid.py looks for these words in the trigger's output.
    TargetProgram p = start();
    CommandResult r = UlpCli.run("trigger", "-p", p.pid(), patch("value_other"), "-v");
    assertThat(r.stdout() + r.stderr()).contains("buildid mismatch");
  }

  // --- a process that exits during the trigger ---

  @Test
  void aProcessThatExitsOnceItsPatchLandedIsReportedGoneAndIsNoFailure() throws Exception {
    TargetProgram stays = start();
    TargetProgram quits = start();
    assertThat(quits.ask("exitonchange", "exitonchange")).isEqualTo("1");
    // The step delay holds the engine a moment at each step of the second patch: by then the
    // process has seen the first one land and exited.
    CommandResult r = UlpCli.runWithEnv(Map.of("KULP_DEBUG_STEP_DELAY_MS", "100"),
        "trigger", "-p", name + "*", patch("value_v2"), patch("value_v3"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).containsPattern("summary: [23] applied, 0 reverted, 0 skipped, 0 failed, [12] gone")
        .contains(quits.pid() + " (" + name + "): gone: ").contains("(it exited)");
    assertThat(r.stderr()).doesNotContain("failed");
    assertThat(quits.alive()).isFalse();
    assertThat(stays.ask("value", "value")).isEqualTo("3");
  }

  @Test
  void aProcessNamedByItsPidThatIsGoneIsStillAFailure() {
    CommandResult r = UlpCli.run("trigger", "-p", "4194000", patch("value_v2"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("no such process: 4194000");
  }
}
