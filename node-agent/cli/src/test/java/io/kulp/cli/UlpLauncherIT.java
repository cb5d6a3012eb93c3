package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Binutils;
import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.FixtureCopy;
import io.kulp.testing.Fixtures;
import io.kulp.testing.HostileElfFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code target/ulp} launcher, as a user runs it: exit codes, messages, and the
 * containers the build packed with it ({@code make -C runtime-c packed} at pre-integration-test).
 */
class UlpLauncherIT {
  @TempDir Path tmp;
  private Path patches;

  @BeforeEach
  void copyFixtures() {
    patches = FixtureCopy.into(tmp);
  }

  @Test
  void livepatchableAnswersForTheFixtureAndTheMachinesLibc() {
    CommandResult fixture = ulp("livepatchable", Fixtures.library().toString());
    CommandResult libc = ulp("livepatchable", Fixtures.MACHINE_LIBC.toString());

    assertThat(fixture.exitCode()).as(fixture.toString()).isZero();
    assertThat(fixture.stdout()).isEqualTo("libkfix.so.1: livepatchable: 9 functions carry the padding\n");
    assertThat(libc.exitCode()).as(libc.toString()).isZero();
    assertThat(libc.stdout()).contains("libc.so.6: livepatchable: 0 functions carry the padding, ");
    assertThat(libc.stderr()).isEmpty();
  }

  @Test
  void theBuildPackedEveryFixtureContainer() throws IOException {
    try (Stream<Path> files = Files.list(Fixtures.patchesDir())) {
      List<Path> dscs = files.filter(f -> f.toString().endsWith(".dsc")).sorted().toList();
      assertThat(dscs).hasSizeGreaterThanOrEqualTo(10);
      for (Path dsc : dscs) {
        Path so = Path.of(dsc.toString().replaceAll("\\.dsc$", ".so"));
        assertThat(Binutils.sectionNames(so)).as(so.toString()).contains(".ulp", ".ulp.rev");
        assertThat(ulp("dump", so.toString()).exitCode()).as(so.toString()).isZero();
      }
    }
    assertThat(ulp("dump", Fixtures.patchesDir().resolve("value_v2.so").toString()).stdout())
        .contains("CVE-2026-0001").contains("bsc#1000002 value returns 2").contains("kfix_value @ 0x");
  }

  @Test
  void packerDumpAndExtractWorkThroughTheLauncher() throws IOException {
    CommandResult packed = ulp("packer", patches.resolve("tls.dsc").toString());
    CommandResult dump = ulp("dump", patches.resolve("tls.so").toString());
    Path json = tmp.resolve("libkfix.json");
    CommandResult extract = ulp("extract", Fixtures.library().toString(), "-o", json.toString());

    assertThat(packed.exitCode()).as(packed.toString()).isZero();
    assertThat(packed.stdout()).contains("for libkfix.so.1 (1 function, 1 reference, 0 labels)");
    assertThat(dump.stdout()).contains("tls  tls_hits @ 0x0 -> kfix_tls_ref").contains(".ulp.rev (revert)");
    assertThat(extract.exitCode()).isZero();
    assertThat(Files.readString(json)).contains("\"name\": \"kfix_hidden\"");
  }

  @Test
  void theDamagedContainersTheBuildDerivedAreRejected() {
    assertOneLineError(ulp("dump", Fixtures.patchesDir().resolve("damaged_crc.so").toString()),
        "ulp dump: " + Fixtures.patchesDir().resolve("damaged_crc.so") + ": .ulp is damaged: CRC-32 mismatch");
    assertOneLineError(ulp("dump", Fixtures.patchesDir().resolve("damaged_truncated.so").toString()),
        "ulp dump: " + Fixtures.patchesDir().resolve("damaged_truncated.so") + ": not a valid ELF file");
  }

  @Test
  void aRandomFileIsNotAPatch() throws IOException {
    byte[] junk = new byte[3000];
    new java.util.Random(11).nextBytes(junk);
    Path random = Files.write(tmp.resolve("random.so"), junk);

    assertOneLineError(ulp("dump", random.toString()), "ulp dump: " + random + ": not a valid ELF file: no ELF magic");
  }

  @Test
  void badDescriptionsFailWithFileLineAndWriteNothing() throws IOException {
    byte[] before = Files.readAllBytes(patches.resolve("work.so"));
    Files.writeString(patches.resolve("work.dsc"), "work.so\n@../fixtures/libkfix.so.1\nkfix_nope:kfix_work_v2\n");
    assertOneLineError(ulp("packer", patches.resolve("work.dsc").toString()),
        "ulp packer: " + patches.resolve("work.dsc") + ":3: function kfix_nope not found in libkfix.so.1");

    Files.writeString(patches.resolve("work.dsc"), "work.so\n@../fixtures/libkfix.so.1\nkfix_work\n");
    assertOneLineError(ulp("packer", patches.resolve("work.dsc").toString()),
        "ulp packer: " + patches.resolve("work.dsc") + ":3: expected `old:new`");

    assertThat(Files.readAllBytes(patches.resolve("work.so"))).isEqualTo(before);
    try (Stream<Path> files = Files.list(patches)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
  }

  @Test
  void aTargetWithoutBuildIdIsRefused() {
    Commands.output("objcopy", "--remove-section", ".note.gnu.build-id", tmp.resolve("fixtures/libkfix.so.1").toString());

    CommandResult r = ulp("packer", patches.resolve("work.dsc").toString());
    assertOneLineError(r, "ulp packer: target library " + tmp.resolve("fixtures/libkfix.so.1") + " has no build-id");
    assertThat(r.stderr()).contains("-Wl,--build-id");
  }

  @Test
  void usageErrorsExitWithTwoAndVerboseShowsTheStack() throws IOException {
    assertThat(ulp().exitCode()).isEqualTo(2);
    assertThat(ulp("no-such-command").exitCode()).isEqualTo(2);
    Files.writeString(patches.resolve("work.dsc"), "work.so\n@../fixtures/libkfix.so.1\n");
    CommandResult verbose = ulp("packer", "-v", patches.resolve("work.dsc").toString());
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.stderr()).contains("no `old:new` or `#target:ref` line").contains("\tat io.kulp.");
  }

  @Test
  void startsFromTheAppCdsArchive() {
    CommandResult r = ulp(Map.of("ULP_JAVA_OPTS", "-Xlog:class+load=info"), "livepatchable", Fixtures.library().toString());

    assertThat(r.stdout()).contains("io.kulp.cli.Ulp source: shared objects file")
        .contains("picocli.CommandLine source: shared objects file")
        .contains("io.kulp.elf.ElfFile source: shared objects file")
        .as("a library with padding needs no x86 decoder").doesNotContain("io.kulp.x86.Capstone ");
  }

  @Test
  void withoutCapstoneALibraryWithoutPaddingGetsOneLineNamingTheDebianPackage() {
    Map<String, String> noCapstone = Map.of("ULP_JAVA_OPTS", "-Dkulp.capstone.library=libcapstone-missing.so.4");
    CommandResult libz = ulp(noCapstone, "livepatchable", "/lib/x86_64-linux-gnu/libz.so.1");
    CommandResult fixture = ulp(noCapstone, "livepatchable", Fixtures.library().toString());

    assertThat(libz.exitCode()).isEqualTo(1);
    assertThat(libz.stderr()).isEqualTo("ulp livepatchable: kulp decodes x86 code with Capstone 4 (libcapstone.so.4),"
        + " which is not installed: apt-get install libcapstone4\n");
    assertThat(fixture.exitCode()).as(fixture.toString()).isZero();
  }

  @Test
  void worksThroughASymlinkWithJavaHomeAndWithoutTheArchive() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("ulp"), Fixtures.ulp());
    CommandResult viaLink = run(List.of(link.toString(), "livepatchable", Fixtures.library().toString()),
        Map.of("JAVA_HOME", System.getProperty("java.home")));
    assertThat(viaLink.exitCode()).as(viaLink.toString()).isZero();

    Path copy = Files.createDirectories(tmp.resolve("nocds"));
    Path target = Fixtures.ulp().getParent();
    Files.copy(Fixtures.ulp(), copy.resolve("ulp"));
    Commands.output("cp", "-r", target.resolve("lib").toString(), copy.toString());
    try (Stream<Path> jars = Files.list(target)) {
      for (Path jar : jars.filter(f -> f.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, copy.resolve(jar.getFileName()));
      }
    }
    CommandResult noArchive = run(List.of(copy.resolve("ulp").toString(), "livepatchable", Fixtures.library().toString()),
        Map.of());
    assertThat(noArchive.exitCode()).as(noArchive.toString()).isZero();
    assertThat(noArchive.stderr()).isEmpty();
  }

  @Test
  void hostileFilesGetOneLineAnswersInTheNodeAgentsHeap() throws IOException {
    Map<String, Path> hostile = HostileElfFiles.all(Files.createDirectories(tmp.resolve("hostile")));
    Path kulp = sparse(tmp.resolve("huge.ulp"), "KULP");
    Path hugeJson = sparse(tmp.resolve("huge.json"), "{");
    Path hugeDsc = sparse(tmp.resolve("huge.dsc"), "work.so\n");
    Path withHugeJson = Files.writeString(patches.resolve("huge-json.dsc"), "work.so\n@" + hugeJson + "\nkfix_work:x\n");
    Map<String, String> smallHeap = Map.of("ULP_JAVA_OPTS", "-Xmx64m -XX:+ExitOnOutOfMemoryError");
    List<List<String>> runs = List.of(
        List.of("livepatchable", hostile.get("huge-patchable-entries").toString()),
        List.of("livepatchable", hostile.get("overlapping-patchable-entries").toString()),
        List.of("livepatchable", hostile.get("overlapping-relocations").toString()),
        List.of("livepatchable", hostile.get("endless-section-names").toString()),
        List.of("extract", hostile.get("huge-symtab").toString()),
        List.of("extract", hostile.get("huge-runtime-dynsym").toString()),
        List.of("dump", hostile.get("huge-ulp-section").toString()),
        List.of("dump", hostile.get("huge-note").toString()),
        List.of("dump", kulp.toString()),
        List.of("packer", hugeDsc.toString()),
        List.of("packer", withHugeJson.toString()));
    for (List<String> run : runs) {
      CommandResult r = ulp(smallHeap, run.toArray(String[]::new));
      assertThat(r.stderr() + r.stdout()).as(r.toString()).doesNotContain("OutOfMemoryError")
          .doesNotContain("internal error");
      assertOneLineError(r, "ulp " + run.get(0) + ": " + (run.get(1).equals(withHugeJson.toString()) ? hugeJson
          : run.get(1)));
    }
  }

  /** A file of {@link HostileElfFiles#LENGTH} bytes that starts with {@code start}, the rest a hole. */
  private static Path sparse(Path file, String start) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(start.getBytes(StandardCharsets.US_ASCII));
      f.setLength(HostileElfFiles.LENGTH);
    }
    return file;
  }

  @Test
  void badNumbersAreOneLineUsageErrors() {
    for (List<String> run : List.of(List.of("trigger", "-p", "99999999999", "x.so"),
        List.of("patches", "-p", "99999999999"), List.of("trigger", "-p", "1", "--timeout", "1e300", "x.so"))) {
      CommandResult r = ulp(run.toArray(String[]::new));
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
      assertThat(r.stderr().lines()).as(r.toString()).hasSize(1).first().asString()
          .startsWith("ulp " + run.get(0) + ": ").endsWith("(see `ulp " + run.get(0) + " --help`)");
    }
  }

  private static void assertOneLineError(CommandResult r, String start) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).as(r.toString()).startsWith(start);
    assertThat(r.stderr().lines()).as("one line, no stack trace: " + r).hasSize(1);
  }

  private static CommandResult ulp(String... args) {
    return ulp(Map.of(), args);
  }

  private static CommandResult ulp(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Fixtures.ulp().toString());
    command.addAll(List.of(args));
    return run(command, env);
  }

  private static CommandResult run(List<String> command, Map<String, String> env) {
    return Commands.run(command, env);
  }
}
