package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.patch.SymbolFile;
import io.kulp.patch.SymbolFileJson;
import io.kulp.testing.Binutils;
import io.kulp.testing.Bounded;
import io.kulp.testing.CommandResult;
import io.kulp.testing.FixtureCopy;
import io.kulp.testing.Fixtures;
import io.kulp.testing.HostileElfFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ulp subcommands run in-process, on copies of the fixtures; UlpLauncherIT runs the real launcher. */
class UlpCommandsTest {
  @TempDir Path tmp;
  private Path patches;

  @BeforeEach
  void copyFixtures() {
    patches = FixtureCopy.into(tmp);
  }

  @Test
  void livepatchableCountsThePaddedFunctionsOfTheFixture() {
    CommandResult r = ulp("livepatchable", Fixtures.library().toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("libkfix.so.1: livepatchable: 9 functions carry the padding\n");
  }

  @Test
  void livepatchableCountsWhatTheMachinesLibcCanTakeWithoutPadding() {
    CommandResult r = ulp("livepatchable", Fixtures.MACHINE_LIBC.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).startsWith("libc.so.6: livepatchable: 0 functions carry the padding, ")
        .contains(" more can take a jump at their entry");
    assertThat(ulp("livepatchable", "-q", Fixtures.MACHINE_LIBC.toString()).stdout()).isEmpty();
  }

  @Test
  void packerThenDumpShowsEverythingThePatchHolds() {
    CommandResult packed = ulp("packer", patches.resolve("counter.dsc").toString());
    CommandResult dump = ulp("dump", patches.resolve("counter.so").toString());

    assertThat(packed.exitCode()).as(packed.toString()).isZero();
    assertThat(packed.stdout()).matches("packed .*counter.so: patch [0-9a-f]{32} for libkfix.so.1 \\(1 function, 1 reference,"
        + " 0 labels\\)\n");
    String id = packed.stdout().replaceAll("(?s).*patch ([0-9a-f]{32}).*", "$1");
    assertThat(dump.exitCode()).isZero();
    assertThat(dump.stdout()).contains("patch id            " + id)
        .contains("target library      libkfix.so.1")
        .contains("target build-id     " + Binutils.buildId(Fixtures.library()))
        .contains("container build-id  " + Binutils.buildId(patches.resolve("counter.so")))
        .contains(String.format("kfix_counter @ 0x%x -> kfix_counter_v2", Binutils.nmValue(Fixtures.library(), "kfix_counter")))
        .contains(String.format("data counter @ 0x%x -> kfix_counter_ref", Binutils.nmValue(Fixtures.library(), "counter")))
        .contains("reverts patch       " + id);
  }

  @Test
  void dumpListsLabelsAndTlsReferences() {
    ulp("packer", "-q", patches.resolve("value_v2.dsc").toString());
    ulp("packer", "-q", patches.resolve("tls.dsc").toString());

    assertThat(ulp("dump", patches.resolve("value_v2.so").toString()).stdout())
        .contains("labels (2)\n    CVE-2026-0001\n    bsc#1000002 value returns 2\n");
    assertThat(ulp("dump", patches.resolve("tls.so").toString()).stdout()).contains("tls  tls_hits @ 0x0 -> kfix_tls_ref");
  }

  @Test
  void packerQuietPrintsNothingAndVerboseSaysWhereSymbolsWereFound() {
    assertThat(ulp("packer", "-q", patches.resolve("hidden.dsc").toString()).stdout()).isEmpty();
    assertThat(ulp("packer", "-v", patches.resolve("hidden.dsc").toString()).stdout())
        .contains("kfix_hidden: 0x" + Long.toHexString(Binutils.nmValue(Fixtures.library(), "kfix_hidden"))
            + " (LOCAL FUNC in .symtab)");
  }

  @Test
  void extractWritesASymbolFileThatPacksTheSameOffsets() throws Exception {
    Path json = tmp.resolve("libkfix.json");
    CommandResult r = ulp("extract", Fixtures.library().toString(), "-o", json.toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).startsWith("wrote ").contains("symbols of libkfix.so.1");
    SymbolFile f = SymbolFileJson.read(Files.readString(json), json.toString());
    assertThat(f.buildId().hex()).isEqualTo(Binutils.buildId(Fixtures.library()));
    assertThat(f.symbols()).anyMatch(e -> e.name().equals("kfix_hidden")
        && e.offset() == Binutils.nmValue(Fixtures.library(), "kfix_hidden"));
    assertThat(ulp("extract", Fixtures.library().toString()).stdout()).isEqualTo(Files.readString(json));
  }

  @Test
  void aMissingPatchFileIsNamedInOneLine() {
    CommandResult r = ulp("dump", Fixtures.library().toString() + "-missing");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).isEqualTo("ulp dump: " + Fixtures.library() + "-missing: no such file\n");
  }

  @Test
  void randomAndTruncatedFilesAreNotPatches() throws Exception {
    byte[] junk = new byte[4096];
    new Random(3).nextBytes(junk);
    Path random = Files.write(tmp.resolve("random.so"), junk);
    byte[] container = Files.readAllBytes(patches.resolve("value_v2.so"));
    Path cut = Files.write(tmp.resolve("cut.so"), java.util.Arrays.copyOf(container, 1500));

    assertOneLineError(ulp("dump", random.toString()), "ulp dump: " + random + ": not a valid ELF file: no ELF magic");
    assertOneLineError(ulp("dump", cut.toString()), "ulp dump: " + cut + ": not a valid ELF file:");
    assertThat(ulp("dump", cut.toString()).stderr()).contains("lies outside the file (1500 bytes)")
        .contains("it is not a patch container");
  }

  @Test
  void anUnpackedContainerIsNotAPatch() throws Exception {
    Path plain = tmp.resolve("plain.so");
    io.kulp.testing.Commands.output("objcopy", "--remove-section", ".ulp", "--remove-section", ".ulp.rev",
        patches.resolve("work.so").toString(), plain.toString());

    assertOneLineError(ulp("dump", plain.toString()), "ulp dump: " + plain + " has no .ulp section: it is not packed");
  }

  @Test
  void aDamagedSectionIsNamedWithTheFix() throws Exception {
    ulp("packer", "-q", patches.resolve("work.dsc").toString());
    Path section = tmp.resolve("work.ulp");
    io.kulp.testing.Commands.output("objcopy", "--dump-section", ".ulp=" + section, patches.resolve("work.so").toString(),
        tmp.resolve("ignored.so").toString());
    byte[] bytes = Files.readAllBytes(section);
    bytes[100] ^= (byte) 0xff;
    Files.write(section, bytes);
    io.kulp.testing.Commands.output("objcopy", "--update-section", ".ulp=" + section, patches.resolve("work.so").toString());

    CommandResult r = ulp("dump", patches.resolve("work.so").toString());
    assertOneLineError(r, "ulp dump: " + patches.resolve("work.so") + ": .ulp is damaged: CRC-32 mismatch");
    assertThat(r.stderr()).contains("pack it again with `ulp packer DESC.dsc`");
    assertOneLineError(ulp("dump", section.toString()), "ulp dump: " + section + ": damaged kulp metadata: CRC-32 mismatch");
  }

  @Test
  void aMissingFunctionFailsWithFileAndLineAndLeavesTheContainer() throws Exception {
    Files.writeString(patches.resolve("work.dsc"), "work.so\n@../fixtures/libkfix.so.1\nkfix_nope:kfix_work_v2\n");
    byte[] before = Files.readAllBytes(patches.resolve("work.so"));

    assertOneLineError(ulp("packer", patches.resolve("work.dsc").toString()),
        "ulp packer: " + patches.resolve("work.dsc") + ":3: function kfix_nope not found in libkfix.so.1");
    assertThat(Files.readAllBytes(patches.resolve("work.so"))).isEqualTo(before);
  }

  @Test
  void aSyntaxErrorNamesFileAndLine() throws Exception {
    Files.writeString(patches.resolve("work.dsc"), "work.so\n@../fixtures/libkfix.so.1\n\nkfix_work=kfix_work_v2\n");

    assertOneLineError(ulp("packer", patches.resolve("work.dsc").toString()),
        "ulp packer: " + patches.resolve("work.dsc") + ":4: expected `old:new`");
  }

  @Test
  void aTargetWithoutBuildIdIsRefused() throws Exception {
    io.kulp.testing.Commands.output("objcopy", "--remove-section", ".note.gnu.build-id",
        tmp.resolve("fixtures/libkfix.so.1").toString());

    assertOneLineError(ulp("packer", patches.resolve("work.dsc").toString()),
        "ulp packer: target library " + tmp.resolve("fixtures/libkfix.so.1") + " has no build-id");
    assertOneLineError(ulp("extract", tmp.resolve("fixtures/libkfix.so.1").toString()), "ulp extract: ");
  }

  @Test
  void verbosePrintsTheStackTraceAfterTheMessage() throws Exception {
    Files.writeString(patches.resolve("work.dsc"), "work.so\n");
    CommandResult r = ulp("packer", "-v", patches.resolve("work.dsc").toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr().lines().findFirst()).contains("ulp packer: " + patches.resolve("work.dsc") + ":1: no `@` line:"
        + " add `@PATH` naming the target library or a `ulp extract` symbol file");
    assertThat(r.stderr()).contains("\tat io.kulp.patch.DescriptionParser");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(ulp().exitCode()).isEqualTo(2);
    assertThat(ulp("frobnicate").exitCode()).isEqualTo(2);
    assertThat(ulp("dump").exitCode()).isEqualTo(2);
    assertThat(ulp("packer", "--no-such-option", "x.dsc").stderr()).contains("Unknown option: '--no-such-option'");
    assertThat(ulp("--help").exitCode()).isZero();
  }

  @Test
  void aPidNoProcessCanHaveIsAUsageErrorInEveryCommand() {
    String patch = patches.resolve("value_v2.so").toString();
    for (String pid : List.of("99999999999", "4194304", "0", "99999999999999999999999")) {
      assertOneLineUsageError(ulp("trigger", "-p", pid, patch), "ulp trigger: no process can have PID " + pid
          + ": PIDs run from 1 to 4194303 (see `ulp trigger --help`)");
      assertOneLineUsageError(ulp("patches", "-p", pid), "ulp patches: no process can have PID " + pid);
      // check and messages take a wildcard too now: a number is still a PID, checked alike.
      assertOneLineUsageError(ulp("messages", "-p", pid), "ulp messages: no process can have PID " + pid);
      assertOneLineUsageError(ulp("check", "-p", pid, patch), "ulp check: no process can have PID " + pid);
    }
    assertOneLineUsageError(ulp("check", "-p", "-1", patch), "ulp check: no process can have PID -1");
  }

  @Test
  void aTimeoutTheEngineCannotTakeIsAUsageErrorBeforeAnyProcessIsTouched() {
    String patch = patches.resolve("value_v2.so").toString();
    for (String t : List.of("1e300", "Infinity", "NaN", "0", "-5", "1e-9", "86401")) {
      assertOneLineUsageError(ulp("trigger", "-p", "4194303", "--timeout", t, patch),
          "ulp trigger: --timeout takes seconds from 0.001 to 86400, not ");
    }
    assertOneLineUsageError(ulp("trigger", "-p", "4194303", "--retries", "-1", patch),
        "ulp trigger: --retries takes a count of 0 or more, not -1");
  }

  @Test
  void aNulByteInADescriptionPathIsNamedAtItsLine() throws Exception {
    Path dsc = Files.writeString(patches.resolve("nul.dsc"), "work\0.so\n@../fixtures/libkfix.so.1\nkfix_work:kfix_work_v2\n");
    assertOneLineError(ulp("packer", dsc.toString()), "ulp packer: " + dsc + ":1: `work\\0.so` is not a usable path");

    Files.writeString(dsc, "work.so\n@../fixtures/lib\0kfix.so.1\nkfix_work:kfix_work_v2\n");
    assertOneLineError(ulp("packer", dsc.toString()), "ulp packer: " + dsc + ":2: `../fixtures/lib\\0kfix.so.1` is not");
  }

  @Test
  void aSymbolFileThatIsNotUtf8IsNamed() throws Exception {
    Files.write(patches.resolve("bad.json"), new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
    Path dsc = Files.writeString(patches.resolve("bad.dsc"), "work.so\n@bad.json\nkfix_work:kfix_work_v2\n");

    assertOneLineError(ulp("packer", dsc.toString()), "ulp packer: " + patches.resolve("bad.json")
        + ": not a symbol file written by `ulp extract`: not UTF-8 text");
  }

  @Test
  void hostileElfFilesGetAOneLineAnswerFromLivepatchableDumpAndExtract() throws Exception {
    for (Path file : HostileElfFiles.all(Files.createDirectories(tmp.resolve("hostile"))).values()) {
      for (String command : List.of("livepatchable", "dump", "extract")) {
        CommandResult[] r = new CommandResult[1];
        assertThat(Bounded.run(Duration.ofSeconds(30), Long.MAX_VALUE, () -> r[0] = ulp(command, file.toString())))
            .isNull();
        if (r[0].stderr().isEmpty()) {
          // An answer, from what the file has and kulp needs: "not livepatchable" (exit 1) for files
          // without padding, "livepatchable" for the real runtime in a huge sparse file, the symbols
          // of a file whose only huge part is its .ulp.
          assertThat(r[0].exitCode()).as(r[0].toString()).isIn(0, 1);
          assertThat(r[0].stdout()).as(r[0].toString()).isNotEmpty();
        } else {
          assertOneLineError(r[0], "ulp " + command + ": " + file);
          assertThat(r[0].stderr()).as(r[0].toString()).doesNotContain("internal error");
        }
      }
    }
  }

  private static void assertOneLineUsageError(CommandResult r, String start) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.stderr()).as(r.toString()).startsWith(start).endsWith("\n");
    assertThat(r.stderr().lines()).as("one line, no stack trace: %s", r).hasSize(1);
  }

  private static void assertOneLineError(CommandResult r, String start) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).as(r.toString()).startsWith(start).endsWith("\n");
    assertThat(r.stderr().lines()).as("one line, no stack trace").hasSize(1);
  }

  private static CommandResult ulp(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Ulp.commandLine();
    cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    int code = Ulp.execute(cli, args);
    return new CommandResult(code, out.toString(), err.toString());
  }
}
