package io.kulp.engine;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.elf.ElfFile;
import io.kulp.testing.Binutils;
import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.nio.ByteBuffer;
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
 * The verbs and flags of libpulp's {@code ulp} that kulp once lacked, each used as a libpulp user
 * writes it, on running kfix-drivers (named uniquely, so a wildcard finds only this class's
 * processes) and on the ELF files the build made.
 */
class LibpulpVerbsAndFlagsIT {
  static final List<String> VERBS = List.of("packer", "post", "dump", "extract", "livepatchable", "trigger",
      "patches", "check", "messages", "set_patchable");

  @TempDir static Path dir;
  private static Path driver;
  private static String name;
  private final List<TargetProgram> programs = new ArrayList<>();

  @BeforeAll
  static void copyTheDriverUnderAUniqueName() throws Exception {
    name = "kv" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    driver = dir.resolve(name);
    Files.copy(Fixtures.fixture("kfix-driver"), driver);
    Files.copy(Fixtures.library(), dir.resolve("libkfix.so.1"));
  }

  private TargetProgram start(Path program, Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>();
    all.put("LD_PRELOAD", Fixtures.libpulp().toString());
    all.putAll(env);
    TargetProgram p = TargetProgram.start(all, program);
    programs.add(p);
    p.await(l -> l.startsWith("ready"));
    return p;
  }

  private TargetProgram start() throws Exception {
    return start(driver, Map.of());
  }

  @AfterEach
  void stop() {
    programs.forEach(TargetProgram::close);
  }

  // --- help on every verb ---

  @Test
  void everyVerbPrintsItsUsageForHelpAndForH() {
    for (String verb : VERBS) {
      for (String flag : List.of("--help", "-h")) {
        CommandResult r = UlpCli.run(verb, flag);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).as(verb + " " + flag).startsWith("Usage: ulp " + verb);
      }
    }
  }

  // --- trigger ---

  @Test
  void recursiveFindsPatchesInTheDirectoriesBelowTheWildcards(@TempDir Path fixes) throws Exception {
    Files.createDirectories(fixes.resolve("libkfix/1"));
    Files.copy(Fixtures.patch("value_v2"), fixes.resolve("libkfix/1/value_v2.so"));
    TargetProgram p = start();

    CommandResult flat = UlpCli.run("trigger", "-p", p.pid(), fixes.resolve("*.so"));
    assertThat(flat.exitCode()).as(flat.toString()).isEqualTo(1);
    assertThat(flat.stderr()).contains("no patch matches");

    CommandResult r = UlpCli.run("trigger", "--recursive", "-p", p.pid(), fixes.resolve("*.so"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void disableSummarizationPrintsTheSkippedResultsToo() throws Exception {
    TargetProgram a = start();
    TargetProgram b = start();
    CommandResult summarized = UlpCli.run("trigger", "-p", name + "*", patch("value_other"));
    assertThat(summarized.exitCode()).as(summarized.toString()).isZero();
    assertThat(summarized.stdout()).isEqualTo("summary: 0 applied, 0 reverted, 2 skipped, 0 failed, 0 gone\n");

    CommandResult all = UlpCli.run("trigger", "-p", name + "*", patch("value_other"), "--disable-summarization");
    assertThat(all.exitCode()).as(all.toString()).isZero();
    assertThat(all.stdout()).contains(a.pid() + " (" + name + "): skipped: ").contains(b.pid() + " (" + name
        + "): skipped: ").contains("buildid mismatch").endsWith("summary: 0 applied, 0 reverted, 2 skipped, 0 failed,"
        + " 0 gone\n");
  }

  @Test
  void checkStackIsAcceptedWithANoteAndThePatchIsApplied() throws Exception {
    TargetProgram p = start();
    CommandResult r = UlpCli.run("trigger", "-c", "-p", p.pid(), patch("value_v2"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stderr()).isEqualTo("ulp trigger: note: --check-stack has no effect in kulp (see `ulp trigger"
        + " --help`)\n");
    assertThat(p.ask("value", "value")).isEqualTo("2");
  }

  @Test
  void userNarrowsTriggerAndPatchesToTheProcessesOfThatUser() throws Exception {
    TargetProgram p = start();
    String uid = Commands.output("id", "-u").trim();
    String user = Commands.output("id", "-un").trim();

    CommandResult nobody = UlpCli.run("trigger", "-u", "no-such-user-*", "-p", name + "*", patch("value_v2"));
    assertThat(nobody.exitCode()).as(nobody.toString()).isEqualTo(2);
    assertThat(nobody.stderr()).contains("no process matches '" + name + "*' of user 'no-such-user-*'");
    assertThat(p.ask("value", "value")).isEqualTo("1");

    CommandResult mine = UlpCli.run("trigger", "-u", user.charAt(0) + "*", "-p", name + "*", patch("value_v2"));
    assertThat(mine.exitCode()).as(mine.toString()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");

    assertThat(UlpCli.run("patches", "-u", uid).stdout()).contains("PID: " + p.pid());
    assertThat(UlpCli.run("patches", "-u", "65533").stdout()).doesNotContain("PID: " + p.pid());
  }

  // --- patches ---

  @Test
  void patchesOnlyLivepatchedLeavesOutTheUnpatchedAndBuildidPrintsEachLibrarysBuildId() throws Exception {
    TargetProgram patched = start();
    TargetProgram plain = start();
    UlpCli.run("trigger", "-p", patched.pid(), patch("value_v2"));

    CommandResult all = UlpCli.run("patches", "-p", name + "*");
    assertThat(all.stdout()).contains("PID: " + patched.pid()).contains("PID: " + plain.pid())
        .doesNotContain(Binutils.buildId(Fixtures.library()));
    CommandResult only = UlpCli.run("patches", "--only-livepatched", "-b", "-p", name + "*");
    assertThat(only.exitCode()).as(only.toString()).isZero();
    assertThat(only.stdout()).contains("PID: " + patched.pid()).doesNotContain("PID: " + plain.pid())
        .contains(dir.resolve("libkfix.so.1") + " (" + Binutils.buildId(Fixtures.library()) + ")");
  }

  // --- check and messages over a wildcard ---

  @Test
  void checkTakesAWildcardAndSaysAppliedOnlyWhenEveryProcessHasThePatch() throws Exception {
    TargetProgram a = start();
    TargetProgram b = start();
    UlpCli.run("trigger", "-p", a.pid(), patch("value_v2"));

    CommandResult some = UlpCli.run("check", "-p", name + "*", patch("value_v2"));
    assertThat(some.exitCode()).as(some.toString()).isZero();
    assertThat(some.stdout()).contains("is applied in process " + a.pid())
        .contains("is not applied in process " + b.pid());

    UlpCli.run("trigger", "-p", b.pid(), patch("value_v2"));
    CommandResult every = UlpCli.run("-p", name + "*", "check", patch("value_v2"));
    assertThat(every.exitCode()).as(every.toString()).isEqualTo(1);

    CommandResult none = UlpCli.run("check", "-p", "no-such-process-*", patch("value_v2"));
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(2);
    assertThat(none.stderr()).contains("no process with libpulp.so matches 'no-such-process-*'");
  }

  @Test
  void messagesTakesAWildcardAndHeadsEachProcess() throws Exception {
    TargetProgram a = start();
    TargetProgram b = start();
    CommandResult r = UlpCli.run("messages", "-p", name + "*");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("PID: " + a.pid() + ", name: " + name + "\n")
        .contains("PID: " + b.pid() + ", name: " + name + "\n")
        .contains("info: libpulp.so (kulp runtime, ABI 1) loaded");
    assertThat(UlpCli.run("messages", "-p", a.pid()).stdout()).doesNotContain("PID: ");
  }

  // --- dump, extract, packer, post ---

  @Test
  void dumpRevertPrintsTheRevertMetadataAndBPrintsTheTargetsBuildIdOnly() {
    CommandResult rev = UlpCli.run("dump", "--revert", patch("value_v2"));
    assertThat(rev.exitCode()).as(rev.toString()).isZero();
    assertThat(rev.stdout()).contains(": kulp patch, .ulp.rev (revert)").doesNotContain("kfix_value @");

    CommandResult b = UlpCli.run("dump", "-b", patch("value_v2"));
    assertThat(b.exitCode()).as(b.toString()).isZero();
    assertThat(b.stdout()).isEqualTo(Binutils.buildId(Fixtures.library()) + "\n");
  }

  @Test
  void extractWithDebuginfoTakesTheSymbolsAStrippedLibraryLost(@TempDir Path work) throws Exception {
    Path stripped = work.resolve("libkfix.so.1");
    Path debug = work.resolve("libkfix.so.1.debug");
    Commands.output("objcopy", "--only-keep-debug", Fixtures.library().toString(), debug.toString());
    Commands.output("strip", "-o", stripped.toString(), Fixtures.library().toString());

    CommandResult plain = UlpCli.run("extract", stripped, "-o", work.resolve("plain.json"));
    assertThat(plain.exitCode()).as(plain.toString()).isZero();
    assertThat(Files.readString(work.resolve("plain.json"))).doesNotContain("\"name\": \"kfix_hidden\"");

    CommandResult d = UlpCli.run("extract", stripped, "-d", debug, "-o", work.resolve("full.json"));
    assertThat(d.exitCode()).as(d.toString()).isZero();
    assertThat(Files.readString(work.resolve("full.json"))).contains("\"name\": \"kfix_hidden\"").contains("kfix_value");

    CommandResult other = UlpCli.run("extract", stripped, "-d", Fixtures.otherLibrary());
    assertThat(other.exitCode()).as(other.toString()).isEqualTo(1);
    assertThat(other.stderr()).contains("is the debug file of another build");
  }

  @Test
  void packerLivepatchAndTargetReplaceThePathsTheDescriptionNames(@TempDir Path work) throws Exception {
    Path container = Files.copy(Fixtures.patchesDir().resolve("value_v2.so"), work.resolve("elsewhere.so"));
    Path dsc = Fixtures.patchesDir().resolve("value_v2.dsc");

    CommandResult r = UlpCli.run("packer", dsc, "-l", container, "-t", Fixtures.otherLibrary(), "-o",
        work.resolve("out.so"));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(UlpCli.run("dump", "-b", work.resolve("out.so")).stdout())
        .isEqualTo(Binutils.buildId(Fixtures.otherLibrary()) + "\n");
    assertThat(UlpCli.run("dump", work.resolve("out.so")).stdout())
        .contains("container build-id  " + Binutils.buildId(container));

    CommandResult missing = UlpCli.run("packer", dsc, "-l", work.resolve("none.so"), "-o", work.resolve("x.so"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr()).contains("none.so");
  }

  @Test
  void postMergesTheEntryNopsAndThePostedLibraryIsStillPatched(@TempDir Path work) throws Exception {
    Path program = Files.copy(driver, work.resolve(name));
    Path lib = Files.copy(Fixtures.library(), work.resolve("libkfix.so.1"));
    long entry = Binutils.nmValue(lib, "kfix_value");
    assertThat(entryBytes(lib, entry)).containsExactly(0x90, 0x90);

    CommandResult r = UlpCli.run("post", lib);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(entryBytes(lib, entry)).containsExactly(0x66, 0x90);
    assertThat(Files.isExecutable(lib)).isTrue();
    assertThat(UlpCli.run("livepatchable", lib).stdout()).contains("livepatchable: 9 functions carry the padding");

    TargetProgram p = start(program, Map.of());
    assertThat(UlpCli.run("trigger", "-p", p.pid(), patch("value_v2")).exitCode()).isZero();
    assertThat(p.ask("value", "value")).isEqualTo("2");

    CommandResult notPadded = UlpCli.run("post", Fixtures.MACHINE_LIBC);
    assertThat(notPadded.exitCode()).isEqualTo(1);
    assertThat(notPadded.stderr()).contains("has no __patchable_function_entries section");
  }

  private static int[] entryBytes(Path lib, long entry) throws Exception {
    try (ElfFile elf = ElfFile.open(lib)) {
      ByteBuffer b = elf.readVirtual(entry, 2);
      return new int[] {b.get(0) & 0xff, b.get(1) & 0xff};
    }
  }

  // --- progress ---

  @Test
  void eachProcessIsReportedAsItCompletesBeforeTheSlowOnesAndTheSummary() throws Exception {
    TargetProgram fast = start();
    start(driver, Map.of("LD_PRELOAD", Fixtures.fakeRuntime().toString(), "KULP_FAKE", "committing"));
    long t0 = System.nanoTime();
    TargetProgram ulp = TargetProgram.start(Map.of(), Fixtures.ulp(), "trigger", "-p", name + "*", "--timeout", "3",
        patch("value_v2"));
    programs.add(ulp);
    ulp.await(l -> l.startsWith(fast.pid() + " (" + name + "): applied: "));
    long fastLine = System.nanoTime() - t0;
    ulp.await(l -> l.startsWith("summary: 1 applied"));
    long summary = System.nanoTime() - t0;
    assertThat(summary - fastLine).as("the fast process's line came %d ms before the summary",
        (summary - fastLine) / 1_000_000).isGreaterThan(1_500_000_000L);
  }

  @Test
  void aProgressLineIsDrawnOnATerminalAndNeverInAPipe() throws Exception {
    for (int i = 0; i < 3; i++) {
      start();
    }
    Map<String, String> slow = Map.of("KULP_DEBUG_STEP_DELAY_MS", "100", "TERM", "xterm");
    String command = Fixtures.ulp() + " trigger -p '" + name + "*' " + patch("value_v2") + " --disable-threading";
    CommandResult tty = Commands.run(List.of("script", "-qec", command, "/dev/null"), slow);
    assertThat(tty.exitCode()).as(tty.toString()).isZero();
    assertThat(tty.stdout()).contains("\r\033[K[2/3 processes] 2 applied").contains("summary: 3 applied");

    CommandResult pipe = UlpCli.runWithEnv(slow, "trigger", "-p", name + "*", "--revert", patch("value_v2"),
        "--disable-threading");
    assertThat(pipe.exitCode()).as(pipe.toString()).isZero();
    assertThat(pipe.stdout()).contains("summary: 0 applied, 3 reverted");
    assertThat(pipe.stdout() + pipe.stderr()).doesNotContain("\r").doesNotContain("processes]");
  }
}
