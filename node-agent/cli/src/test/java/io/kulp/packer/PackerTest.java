package io.kulp.packer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.elf.ElfFile;
import io.kulp.patch.FunctionPair;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchException;
import io.kulp.patch.PatchMetadata;
import io.kulp.patch.PrivateReference;
import io.kulp.patch.ReferenceKind;
import io.kulp.patch.SymbolFile;
import io.kulp.patch.SymbolFileJson;
import io.kulp.testing.Binutils;
import io.kulp.testing.Commands;
import io.kulp.testing.FixtureCopy;
import io.kulp.testing.Fixtures;
import io.kulp.testing.LibpulpTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ulp packer on copies of the fixture containers. */
class PackerTest {
  @TempDir Path tmp;
  private Path patches;
  private Path library;
  private final Packer packer = new Packer("objcopy");

  @BeforeEach
  void copyFixtures() {
    patches = FixtureCopy.into(tmp);
    library = tmp.resolve("fixtures/libkfix.so.1");
  }

  @Test
  void packsExportedStaticDataAndTlsOffsetsThatNmPrints() throws Exception {
    PatchMetadata value = pack("value_v2").apply();
    PatchMetadata hidden = pack("hidden").apply();
    PatchMetadata counter = pack("counter").apply();
    PatchMetadata tls = pack("tls").apply();

    assertThat(value.functions()).containsExactly(new FunctionPair("kfix_value", "kfix_value_v2", nm("kfix_value")));
    assertThat(value.labels()).containsExactly("CVE-2026-0001", "bsc#1000002 value returns 2");
    assertThat(hidden.functions()).containsExactly(new FunctionPair("kfix_hidden", "kfix_hidden_v2", nm("kfix_hidden")));
    assertThat(counter.references())
        .containsExactly(new PrivateReference("counter", "kfix_counter_ref", nm("counter"), ReferenceKind.DATA));
    assertThat(tls.references())
        .containsExactly(new PrivateReference("tls_hits", "kfix_tls_ref", nm("tls_hits"), ReferenceKind.TLS));
    assertThat(value.targetLibrary()).isEqualTo("libkfix.so.1");
    assertThat(value.targetBuildId().hex()).isEqualTo(Binutils.buildId(library));
    assertThat(value.containerBuildId().hex()).isEqualTo(Binutils.buildId(patches.resolve("value_v2.so")));
  }

  @Test
  void everyFixtureDescriptionPacksAndReadelfShowsBothSections() throws Exception {
    try (Stream<Path> files = Files.list(patches)) {
      for (Path dsc : files.filter(f -> f.toString().endsWith(".dsc")).sorted().toList()) {
        PackResult r = packer.pack(dsc, null);
        assertThat(Binutils.sectionNames(r.output())).as(dsc.toString()).contains(".ulp", ".ulp.rev");
        PatchContainer c = PatchContainer.read(r.output());
        assertThat(c.apply()).isEqualTo(r.metadata());
        assertThat(c.revert()).contains(r.metadata().revert());
      }
    }
  }

  @Test
  void packsTheOtherBuildOfTheLibraryWithItsBuildId() throws Exception {
    PatchMetadata other = pack("value_other").apply();
    assertThat(other.targetBuildId().hex()).isEqualTo(Binutils.buildId(tmp.resolve("fixtures-other/libkfix.so.1")))
        .isNotEqualTo(Binutils.buildId(library));
  }

  @Test
  void rePackingAPackedContainerWorksAndKeepsTheId() throws Exception {
    PatchContainer first = pack("multi");
    PatchContainer second = pack("multi");

    assertThat(second.apply()).isEqualTo(first.apply());
    assertThat(second.applySection()).isEqualTo(first.applySection());
    assertThat(Binutils.sectionNames(patches.resolve("multi.so")).stream().filter(n -> n.startsWith(".ulp"))).hasSize(2);
  }

  @Test
  void aChangedDescriptionGivesANewId() throws Exception {
    PatchContainer before = pack("value_v3");
    Files.writeString(patches.resolve("value_v3.dsc"), "!one more label\n", java.nio.file.StandardOpenOption.APPEND);
    PatchContainer after = pack("value_v3");

    assertThat(after.apply().id()).isNotEqualTo(before.apply().id());
  }

  @Test
  void writesToAnOutputFileAndLeavesTheContainerAlone() throws Exception {
    byte[] original = Files.readAllBytes(patches.resolve("value_v4.so"));
    Path out = tmp.resolve("out.so");

    PackResult r = packer.pack(patches.resolve("value_v4.dsc"), out);

    assertThat(r.output()).isEqualTo(out);
    assertThat(Files.readAllBytes(patches.resolve("value_v4.so"))).isEqualTo(original);
    assertThat(PatchContainer.read(out).apply().functions()).extracting(FunctionPair::newName).containsExactly("kfix_value_v4");
    assertThat(Files.isExecutable(out)).isEqualTo(Files.isExecutable(patches.resolve("value_v4.so")));
  }

  @Test
  void anOutputInAMissingDirectoryNamesTheDirectory() {
    Path out = tmp.resolve("no/such/dir/out.so");
    assertThatThrownBy(() -> packer.pack(patches.resolve("value_v2.dsc"), out))
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessageContaining(out.getParent() + " (the directory to write out.so in)");
  }

  @Test
  void packsAgainstAnExtractFileForAStrippedLibrary() throws Exception {
    Path stripped = tmp.resolve("fixtures/libkfix-stripped.so.1");
    Commands.output("strip", "--strip-all", "-o", stripped.toString(), library.toString());
    assertThat(ElfFile.open(stripped).symbols()).isEmpty();
    ElfFile unstripped = ElfFile.open(library);
    Path json = Files.writeString(tmp.resolve("fixtures/libkfix.json"),
        SymbolFileJson.write(SymbolFile.of(unstripped, "libkfix.so.1", unstripped.buildId().orElseThrow())));
    describe("counter", "counter.so\n@../fixtures/libkfix.json\nkfix_counter:kfix_counter_v2\n#counter:kfix_counter_ref\n"
        + "kfix_hidden:kfix_counter_v2\n");

    PatchMetadata m = pack("counter").apply();

    assertThat(m.functions()).extracting(FunctionPair::oldOffset).containsExactly(nm("kfix_counter"), nm("kfix_hidden"));
    assertThat(m.references()).extracting(PrivateReference::targetOffset).containsExactly(nm("counter"));
    assertThat(m.targetBuildId()).isEqualTo(ElfFile.open(stripped).buildId().orElseThrow());
    assertThat(json).exists();
  }

  @Test
  void packsLibpulpsOffsetLinesIntoStaticPointersOfTheContainer() throws Exception {
    // The build wrote the offsets with nm, as libpulp's test suite does; the container links
    // libtool's way and FixtureCopy copied the file the link names.
    PatchMetadata m = pack("libkfix_livepatch1").apply();
    Path container = patches.resolve("libkfix_livepatch1.so");

    assertThat(m.labels()).containsExactly("bsc#1200316: private data through static pointers, offsets as nm prints them");
    assertThat(m.references()).containsExactly(
        new PrivateReference("counter", "ulpr_counter", nm("counter"), ReferenceKind.DATA,
            Binutils.nmValue(container, "ulpr_counter")),
        new PrivateReference("tls_hits", "ulpr_tls", nm("tls_hits"), ReferenceKind.TLS,
            Binutils.nmValue(container, "ulpr_tls")));
    assertThat(m.functions()).extracting(FunctionPair::oldName).containsExactly("kfix_counter", "kfix_tls");
  }

  @Test
  void findsAStaticPointerOfTheContainerByNameWhenTheLineGivesNoOffsets() throws Exception {
    Path container = patches.resolve("libkfix_livepatch1.so");
    describe("libkfix_livepatch1", "libkfix_livepatch1.so\n@../fixtures/libkfix.so.1\nkfix_counter:kfix_counter_lp\n"
        + "#counter:ulpr_counter\n");

    assertThat(pack("libkfix_livepatch1").apply().references()).containsExactly(new PrivateReference("counter",
        "ulpr_counter", nm("counter"), ReferenceKind.DATA, Binutils.nmValue(container, "ulpr_counter")));
  }

  @Test
  void anOffsetThatDisagreesWithTheSymbolIsRefusedAndOneTheLibraryDoesNotNameIsTaken() throws Exception {
    long counter = nm("counter");
    long pointer = Binutils.nmValue(patches.resolve("libkfix_livepatch1.so"), "ulpr_counter");
    String head = "libkfix_livepatch1.so\n@../fixtures/libkfix.so.1\nkfix_counter:kfix_counter_lp\n";
    describe("libkfix_livepatch1", head + "#counter:ulpr_counter:" + Long.toHexString(counter + 8) + ":"
        + Long.toHexString(pointer) + "\n");
    assertFails("libkfix_livepatch1", "libkfix_livepatch1.dsc:4: TARGET_OFFSET 0x" + Long.toHexString(counter + 8)
        + " is not where libkfix.so.1 has counter (0x" + Long.toHexString(counter) + ")");

    describe("libkfix_livepatch1", head + "#counter:ulpr_counter:" + Long.toHexString(counter) + ":"
        + Long.toHexString(pointer + 8) + "\n");
    assertFails("libkfix_livepatch1", "libkfix_livepatch1.dsc:4: PATCH_OFFSET 0x" + Long.toHexString(pointer + 8)
        + " is not where the container libkfix_livepatch1.so has ulpr_counter");

    describe("libkfix_livepatch1", head + "#counter:ulpr_counter:" + Long.toHexString(counter) + ":"
        + Long.toHexString(nm("kfix_value")) + "\n");
    assertFails("libkfix_livepatch1", "is not where the container");

    describe("libkfix_livepatch1", head + "#stripped_away:unnamed:" + Long.toHexString(counter) + ":"
        + Long.toHexString(pointer) + "\n");
    assertThat(pack("libkfix_livepatch1").apply().references()).as("taken as written, as libpulp does")
        .containsExactly(new PrivateReference("stripped_away", "unnamed", counter, ReferenceKind.DATA, pointer));
  }

  @Test
  void aPatchOffsetOutsideTheContainersWritableDataIsRefused() throws Exception {
    long codeOffset = Binutils.nmValue(patches.resolve("libkfix_livepatch1.so"), "kfix_counter_lp");
    describe("libkfix_livepatch1", "libkfix_livepatch1.so\n@../fixtures/libkfix.so.1\nkfix_counter:kfix_counter_lp\n"
        + "#counter:nameless:" + Long.toHexString(nm("counter")) + ":" + Long.toHexString(codeOffset) + "\n");

    assertFails("libkfix_livepatch1", "libkfix_livepatch1.dsc:4: nameless at 0x" + Long.toHexString(codeOffset)
        + " is not writable data of the container");
  }

  @Test
  void packsTheFileASymbolicLinkNamesAndKeepsTheLink() throws Exception {
    Path real = patches.resolve("libkfix_livepatch1.so.0.0.0");
    Path link = patches.resolve("libkfix_livepatch1.so");
    Files.move(link, real);
    Files.createSymbolicLink(link, real.getFileName());

    PackResult r = packer.pack(patches.resolve("libkfix_livepatch1.dsc"), null);

    assertThat(link).isSymbolicLink();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(real.getFileName());
    assertThat(r.output()).isEqualTo(real.toRealPath());
    assertThat(Binutils.sectionNames(real)).contains(".ulp", ".ulp.rev");
    assertNoTemporaryFiles();
  }

  @Test
  void aFunctionLineMayGiveTheOldFunctionsOffsetWhichMustBeItsOwn() throws Exception {
    long hidden = nm("kfix_hidden");
    describe("hidden", "hidden.so\n@../fixtures/libkfix.so.1\nkfix_hidden:kfix_hidden_v2:" + Long.toHexString(hidden) + "\n");
    assertThat(pack("hidden").apply().functions()).containsExactly(new FunctionPair("kfix_hidden", "kfix_hidden_v2", hidden));

    describe("hidden", "hidden.so\n@../fixtures/libkfix.so.1\nkfix_hidden:kfix_hidden_v2:" + Long.toHexString(hidden + 16)
        + "\n");
    assertFails("hidden", "hidden.dsc:3: the offset 0x" + Long.toHexString(hidden + 16) + " is not where libkfix.so.1 has"
        + " kfix_hidden (0x" + Long.toHexString(hidden) + ")");
  }

  @Test
  void aReferenceLineMayNameAFunctionOfTheTarget() throws Exception {
    PatchMetadata m = pack("fnref").apply();

    assertThat(m.references()).containsExactly(
        new PrivateReference("kfix_hidden", "kfix_hidden_ptr", nm("kfix_hidden"), ReferenceKind.DATA));
  }

  @Test
  void packsADescriptionWithReferencesOnly() throws Exception {
    PatchMetadata m = pack("refs_only").apply();

    assertThat(m.functions()).isEmpty();
    assertThat(m.references()).containsExactly(
        new PrivateReference("counter", "kfix_counter_seen", nm("counter"), ReferenceKind.DATA));
  }

  @Test
  void packsAgainstASymbolFileWrittenByLibpulpsUlpExtract() throws Exception {
    LibpulpTools.extract(library, tmp.resolve("fixtures/libkfix.so.1.json"));
    describe("tls", "tls.so\n@../fixtures/libkfix.so.1.json\nkfix_tls:kfix_tls_v2\nkfix_hidden:kfix_tls_v2\n"
        + "#%tls_hits:kfix_tls_ref\n");

    PatchMetadata m = pack("tls").apply();

    assertThat(m.targetLibrary()).isEqualTo("libkfix.so.1");
    assertThat(m.targetBuildId().hex()).isEqualTo(Binutils.buildId(library));
    assertThat(m.functions()).extracting(FunctionPair::oldOffset).containsExactly(nm("kfix_tls"), nm("kfix_hidden"));
    assertThat(m.references()).containsExactly(new PrivateReference("tls_hits", "kfix_tls_ref", 0, ReferenceKind.TLS));
  }

  @Test
  void packsAgainstALibraryThatLibpulpsUlpPostProcessed() throws Exception {
    assertThat(LibpulpTools.post(library)).isEqualTo(9);

    PatchMetadata m = pack("multi").apply();

    assertThat(m.functions()).isNotEmpty().allSatisfy(f -> assertThat(f.oldOffset()).isEqualTo(nm(f.oldName())));
  }

  @Test
  void aStaticFunctionOfAStrippedLibraryIsMissingWithAHintAtTheExtractFile() throws Exception {
    Commands.output("strip", "--strip-all", library.toString());
    byte[] container = Files.readAllBytes(patches.resolve("hidden.so"));

    assertFails("hidden", "hidden.dsc:4: function kfix_hidden not found in libkfix.so.1 (searched .symtab, .dynsym)",
        "run `ulp extract` on the unstripped build");
    assertThat(Files.readAllBytes(patches.resolve("hidden.so"))).isEqualTo(container);
  }

  @Test
  void aFunctionTheTargetLacksFailsAtItsLineAndChangesNothing() throws Exception {
    describe("value_v2", "value_v2.so\n@../fixtures/libkfix.so.1\nkfix_value:kfix_value_v2\nkfix_nope:kfix_value_v2\n");
    byte[] container = Files.readAllBytes(patches.resolve("value_v2.so"));

    assertFails("value_v2", "value_v2.dsc:4: function kfix_nope not found in libkfix.so.1 (searched .symtab, .dynsym)",
        "check the name");
    assertThat(Files.readAllBytes(patches.resolve("value_v2.so"))).isEqualTo(container);
    assertNoTemporaryFiles();
  }

  @Test
  void aTargetWithoutBuildIdIsRefusedWithTheLinkerFlag() throws Exception {
    Commands.output("objcopy", "--remove-section", ".note.gnu.build-id", library.toString());

    assertFails("value_v2", "target library " + library + " has no build-id", "-Wl,--build-id");
  }

  @Test
  void aContainerWithoutBuildIdIsRefused() throws Exception {
    Commands.output("objcopy", "--remove-section", ".note.gnu.build-id", patches.resolve("value_v2.so").toString());

    assertFails("value_v2", "container " + patches.resolve("value_v2.so") + " has no build-id", "-Wl,--build-id");
  }

  @Test
  void aNewFunctionTheContainerDoesNotExportIsRefused() throws Exception {
    describe("value_v2", "value_v2.so\n@../fixtures/libkfix.so.1\nkfix_value:kfix_value_v9\n");

    assertFails("value_v2", "value_v2.dsc:3: kfix_value_v9 is not exported by the container value_v2.so", "default visibility");
  }

  @Test
  void aTlsVariableOnADataLineIsRefusedWithTheRightSyntax() throws Exception {
    describe("tls", "tls.so\n@../fixtures/libkfix.so.1\nkfix_tls:kfix_tls_v2\n#tls_hits:kfix_tls_ref\n");

    assertFails("tls", "tls.dsc:4: tls_hits in libkfix.so.1 is a TLS variable, not a data object", "`#%target:ref`");
  }

  @Test
  void aVariableOnAFunctionLineIsRefused() throws Exception {
    describe("value_v2", "value_v2.so\n@../fixtures/libkfix.so.1\ncounter:kfix_value_v2\n");

    assertFails("value_v2", "value_v2.dsc:3: counter in libkfix.so.1 is a data object, not a function");
  }

  @Test
  void aDescriptionSyntaxErrorNamesFileAndLine() throws Exception {
    describe("value_v2", "value_v2.so\n@../fixtures/libkfix.so.1\nkfix_value kfix_value_v2\n");

    assertFails("value_v2", "value_v2.dsc:3: expected `old:new`");
  }

  @Test
  void aMissingTargetNamesTheAtLine() throws Exception {
    describe("value_v2", "value_v2.so\n@../fixtures/libnope.so\nkfix_value:kfix_value_v2\n");

    assertFails("value_v2", "value_v2.dsc:2: target " + tmp.resolve("fixtures/libnope.so") + " does not exist");
  }

  @Test
  void aFailingObjcopyLeavesTheContainerAndNoTemporaryFiles() throws Exception {
    byte[] container = Files.readAllBytes(patches.resolve("value_v2.so"));

    assertThatThrownBy(() -> new Packer("false").pack(patches.resolve("value_v2.dsc"), null))
        .isInstanceOf(PackerException.class).hasMessageContaining("false could not add the sections");
    assertThatThrownBy(() -> new Packer("/nonexistent/objcopy").pack(patches.resolve("value_v2.dsc"), null))
        .isInstanceOf(PackerException.class).hasMessageContaining("cannot run /nonexistent/objcopy")
        .hasMessageContaining("install binutils");
    assertThat(Files.readAllBytes(patches.resolve("value_v2.so"))).isEqualTo(container);
    assertNoTemporaryFiles();
  }

  private PatchContainer pack(String name) throws IOException, PatchException {
    PackResult r = packer.pack(patches.resolve(name + ".dsc"), null);
    assertThat(r.output()).isEqualTo(patches.resolve(name + ".so"));
    return PatchContainer.read(r.output());
  }

  private void describe(String name, String text) throws IOException {
    Files.writeString(patches.resolve(name + ".dsc"), text);
  }

  private long nm(String symbol) {
    return Binutils.nmValue(Fixtures.library(), symbol);
  }

  private void assertFails(String name, String... messages) {
    var thrown = assertThatThrownBy(() -> packer.pack(patches.resolve(name + ".dsc"), null)).isInstanceOf(PatchException.class);
    for (String m : messages) {
      thrown.hasMessageContaining(m);
    }
  }

  private void assertNoTemporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(patches)) {
      List<String> hidden = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
      assertThat(hidden).isEmpty();
    }
  }
}
