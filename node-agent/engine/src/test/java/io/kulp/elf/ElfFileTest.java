package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Binutils;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {
  @TempDir Path tmp;

  @Test
  void readsTheHeaderAndTheSectionsReadelfLists() throws IOException {
    ElfFile elf = ElfFile.open(Fixtures.library());

    assertThat(elf.header().type()).isEqualTo(ElfHeader.ET_DYN);
    assertThat(elf.header().machine()).isEqualTo(ElfHeader.EM_X86_64);
    assertThat(elf.sections().stream().skip(1).map(ElfSection::name))
        .containsExactlyElementsOf(Binutils.sectionNames(Fixtures.library()));
    assertThat(elf.programHeaders()).anyMatch(p -> p.type() == ProgramHeader.PT_TLS);
  }

  @Test
  void findsExportedStaticDataAndTlsSymbolsAtTheValuesNmPrints() throws IOException {
    ElfFile elf = ElfFile.open(Fixtures.library());

    assertSymbol(elf.symbols(), "kfix_value", SymbolType.FUNC, SymbolBinding.GLOBAL);
    assertSymbol(elf.symbols(), "kfix_hidden", SymbolType.FUNC, SymbolBinding.LOCAL);
    assertSymbol(elf.symbols(), "counter", SymbolType.OBJECT, SymbolBinding.LOCAL);
    assertSymbol(elf.symbols(), "tls_hits", SymbolType.TLS, SymbolBinding.LOCAL);
    assertSymbol(elf.dynamicSymbols(), "kfix_value", SymbolType.FUNC, SymbolBinding.GLOBAL);
    assertThat(elf.dynamicSymbols()).noneMatch(s -> s.name().equals("kfix_hidden"));
    assertThat(elf.dynamicSymbol("kfix_endbr")).isPresent();
    assertThat(elf.dynamicSymbol("__tls_get_addr")).as("imported, not defined").isEmpty();
  }

  private static void assertSymbol(List<ElfSymbol> table, String name, SymbolType type, SymbolBinding binding) {
    ElfSymbol s = table.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    assertThat(s.value()).as(name).isEqualTo(Binutils.nmValue(Fixtures.library(), name));
    assertThat(s.type()).as(name).isEqualTo(type);
    assertThat(s.binding()).as(name).isEqualTo(binding);
    assertThat(s.isDefined()).as(name).isTrue();
  }

  @Test
  void readsTheBuildIdReadelfPrintsAndTheSoname() throws IOException {
    ElfFile elf = ElfFile.open(Fixtures.library());

    assertThat(elf.buildId().map(BuildId::hex)).contains(Binutils.buildId(Fixtures.library()));
    assertThat(elf.soname()).contains("libkfix.so.1");
    assertThat(ElfFile.open(Fixtures.otherLibrary()).buildId()).isPresent().isNotEqualTo(elf.buildId());
  }

  @Test
  void patchableEntriesPointFourteenBytesBeforeEachFixtureFunction() throws IOException {
    ElfFile elf = ElfFile.open(Fixtures.library());
    long[] entries = elf.patchableEntries();

    long sectionSize = elf.section(ElfFile.PATCHABLE_ENTRIES).orElseThrow().size();
    assertThat(entries).hasSize((int) (sectionSize / 8));
    for (String f : List.of("kfix_value", "kfix_hidden", "kfix_counter", "kfix_tls", "kfix_endbr", "kfix_pagecross",
        "kfix_unaligned", "kfix_work", "kfix_call_hidden")) {
      long entry = Binutils.nmValue(Fixtures.library(), f);
      assertThat(entries).as(f).contains(entry - 14);
    }
  }

  @Test
  void classifiesPlainAndEndbrPaddingAsUsable() throws IOException {
    ElfFile elf = ElfFile.open(Fixtures.library());

    long value = Binutils.nmValue(Fixtures.library(), "kfix_value");
    long endbr = Binutils.nmValue(Fixtures.library(), "kfix_endbr");
    long pagecross = Binutils.nmValue(Fixtures.library(), "kfix_pagecross");
    assertThat(PatchablePadding.at(elf, value - 14)).isEqualTo(PatchablePadding.KULP);
    assertThat(PatchablePadding.at(elf, endbr - 14)).isEqualTo(PatchablePadding.KULP_ENDBR);
    assertThat(PatchablePadding.at(elf, pagecross - 14)).isEqualTo(PatchablePadding.KULP);
    assertThat(PatchablePadding.at(elf, value)).as("the function body is no padding").isEqualTo(PatchablePadding.OTHER);
    assertThat(PaddingSurvey.of(elf)).isEqualTo(new PaddingSurvey(9, 9));
  }

  @Test
  void takesEntriesFromRelativeRelocationsWhenTheSectionHoldsZeros() throws IOException {
    // lld leaves RELA targets zero; the addresses are then only in .rela.dyn.
    Path copy = tmp.resolve("libkfix.so.1");
    Files.copy(Fixtures.library(), copy);
    int size = (int) ElfFile.open(copy).section(ElfFile.PATCHABLE_ENTRIES).orElseThrow().size();
    Path zeros = Files.write(tmp.resolve("zeros"), new byte[size]);
    Commands.output("objcopy", "--update-section", ElfFile.PATCHABLE_ENTRIES + "=" + zeros, copy.toString());

    ElfFile zeroed = ElfFile.open(copy);
    assertThat(zeroed.contents(zeroed.section(ElfFile.PATCHABLE_ENTRIES).orElseThrow()).getLong(0)).isZero();
    long[] expected = ElfFile.open(Fixtures.library()).patchableEntries();
    assertThat(zeroed.patchableEntries()).containsExactly(expected);
  }

  @Test
  void theMachinesLibcHasNoPaddingButExportsItsFunctions() throws IOException {
    ElfFile libc = ElfFile.open(Fixtures.MACHINE_LIBC);

    assertThat(libc.patchableEntries()).isEmpty();
    assertThat(libc.dynamicSymbol("printf")).get().extracting(ElfSymbol::type).isEqualTo(SymbolType.FUNC);
    assertThat(libc.soname()).contains("libc.so.6");
    assertThat(libc.buildId()).isPresent();
  }

  @Test
  void aStrippedCopyKeepsDynsymButLosesSymtab() throws IOException {
    Path copy = tmp.resolve("stripped.so");
    Commands.output("strip", "--strip-all", "-o", copy.toString(), Fixtures.library().toString());

    ElfFile elf = ElfFile.open(copy);
    assertThat(elf.symbols()).isEmpty();
    assertThat(elf.dynamicSymbol("kfix_value")).isPresent();
    assertThat(elf.patchableEntries()).containsExactly(ElfFile.open(Fixtures.library()).patchableEntries());
  }

  @Test
  void readsSectionBytesAndVirtualAddresses() throws IOException {
    ElfFile elf = ElfFile.open(Fixtures.library());
    Optional<byte[]> comment = elf.sectionBytes(".comment");
    assertThat(comment).isPresent();
    assertThat(new String(comment.get(), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("GCC");
    assertThat(elf.sectionBytes(".no-such-section")).isEmpty();

    long value = Binutils.nmValue(Fixtures.library(), "kfix_value");
    byte[] at = new byte[2];
    elf.readVirtual(value, 2).get(at);
    assertThat(at).containsExactly(0x90, 0x90);
  }

  @Test
  void parsesAnImageAlreadyInMemory() throws IOException {
    byte[] image = Files.readAllBytes(Fixtures.library());
    ElfFile elf = ElfFile.parse(java.nio.ByteBuffer.wrap(image), "memory");
    assertThat(elf.buildId()).isEqualTo(ElfFile.open(Fixtures.library()).buildId());
    assertThat(Arrays.stream(elf.patchableEntries()).count()).isEqualTo(9);
  }
}
