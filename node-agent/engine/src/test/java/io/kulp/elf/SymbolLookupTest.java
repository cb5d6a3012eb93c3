package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.testing.Binutils;
import io.kulp.testing.Commands;
import io.kulp.testing.CraftedElf;
import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ElfFile#dynamicSymbol} goes through the hash tables the linker wrote, and survives ones it did not. */
class SymbolLookupTest {
  private static final int STRINGS = 0x4000;
  private static final int SYMBOLS = 0x5000;
  private static final int HASH = 0x8000;
  private static final int DYNAMIC = 0x7000;
  private static final int LENGTH = 0x10000;
  private static final List<String> NAMES = List.of("alpha", "beta", "kulp_abi");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"sysv", "gnu", "both"})
  void findsWhatNmPrintsInALibraryLinkedWithEachHashStyle(String style) throws IOException {
    Path source = Files.writeString(tmp.resolve("lib.c"),
        "#include <stdio.h>\nint alpha(void) { return puts(\"a\"); }\nint beta = 2;\nint kulp_abi[4];\n");
    Path library = tmp.resolve("lib-" + style + ".so");
    Commands.output("cc", "-shared", "-fPIC", "-Wl,--hash-style=" + style, "-o", library.toString(), source.toString());

    try (ElfFile elf = ElfFile.open(library)) {
      for (String name : NAMES) {
        assertThat(elf.dynamicSymbol(name).map(ElfSymbol::value)).as(name).contains(Binutils.nmValue(library, name));
      }
      assertThat(elf.dynamicSymbol("puts")).as("imported, not defined").isEmpty();
      assertThat(elf.dynamicSymbol("gamma")).isEmpty();
    }
  }

  @Test
  void findsTheRuntimesAbiWhereNmDoes() throws IOException {
    try (ElfFile elf = ElfFile.open(Fixtures.libpulp())) {
      assertThat(elf.dynamicSymbol("kulp_abi").map(ElfSymbol::value))
          .contains(Binutils.nmValue(Fixtures.libpulp(), "kulp_abi"));
    }
  }

  @Test
  void followsASystemVChain() throws ElfException {
    ElfFile elf = withSysvTable(1, 4, new int[] {3}, new int[] {0, 0, 1, 2});
    assertThat(elf.dynamicSymbol("kulp_abi").map(ElfSymbol::value)).contains(0x1003L);
    assertThat(elf.dynamicSymbol("alpha").map(ElfSymbol::value)).contains(0x1001L);
    assertThat(elf.dynamicSymbol("gamma")).isEmpty();
  }

  @Test
  void aSystemVChainThatLoopsIsAnError() {
    ElfFile elf = withSysvTable(1, 4, new int[] {1}, new int[] {0, 2, 1, 0});
    assertThatThrownBy(() -> elf.dynamicSymbol("gamma")).isInstanceOf(ElfException.class)
        .hasMessageContaining("a DT_HASH chain is longer than its 4 symbols: it loops");
  }

  @Test
  void aSystemVChainPastItsSymbolsIsAnError() {
    ElfFile elf = withSysvTable(1, 4, new int[] {9}, new int[4]);
    assertThatThrownBy(() -> elf.dynamicSymbol("gamma")).isInstanceOf(ElfException.class)
        .hasMessageContaining("DT_HASH links to symbol 9, not below its nchain 4");
    assertThatThrownBy(() -> withSysvTable(0, 4, new int[0], new int[4]).dynamicSymbol("gamma"))
        .isInstanceOf(ElfException.class).hasMessageContaining("DT_HASH has no buckets");
  }

  @Test
  void followsAGnuChain() throws ElfException {
    ElfFile elf = withGnuTable(1, true);
    assertThat(elf.dynamicSymbol("beta").map(ElfSymbol::value)).contains(0x1002L);
    assertThat(elf.dynamicSymbol("kulp_abi").map(ElfSymbol::value)).contains(0x1003L);
    assertThat(elf.dynamicSymbol("gamma")).isEmpty();
  }

  @Test
  void aGnuChainWithoutEndRunsIntoTheEndOfTheSegment() {
    ElfFile elf = withGnuTable(1, false);
    assertThatThrownBy(() -> elf.dynamicSymbol("gamma")).isInstanceOf(ElfException.class)
        .hasMessageContaining("is not in any PT_LOAD segment's file bytes");
    assertThatThrownBy(() -> withGnuTable(0, true).dynamicSymbol("gamma")).isInstanceOf(ElfException.class)
        .hasMessageContaining("DT_GNU_HASH has no buckets");
  }

  /** Symbols 1 to 3 named {@link #NAMES}, valued 0x1001 to 0x1003, in a file whose one PT_LOAD maps it all. */
  private static CraftedElf withSymbols(long hashTag, byte[] hash) {
    CraftedElf e = new CraftedElf(LENGTH);
    ByteBuffer strings = ByteBuffer.allocate(64);
    ByteBuffer symbols = ByteBuffer.allocate(4 * 24).order(ByteOrder.LITTLE_ENDIAN);
    strings.put((byte) 0);
    symbols.position(24);
    for (int i = 0; i < NAMES.size(); i++) {
      symbols.putInt(strings.position()).put((byte) 0x12).put((byte) 0).putShort((short) 1).putLong(0x1001 + i)
          .putLong(8);
      strings.put((NAMES.get(i) + "\0").getBytes(StandardCharsets.US_ASCII));
    }
    int dynstr = e.section(".dynstr", CraftedElf.SHT_STRTAB, STRINGS, strings.position(), 0, 0);
    e.section(".dynsym", CraftedElf.SHT_DYNSYM, SYMBOLS, symbols.capacity(), dynstr, 24);
    ByteBuffer dynamic = ByteBuffer.allocate(7 * 16).order(ByteOrder.LITTLE_ENDIAN);
    dynamic.putLong(hashTag).putLong(HASH).putLong(DynamicReader.DT_SYMTAB).putLong(SYMBOLS)
        .putLong(DynamicReader.DT_STRTAB).putLong(STRINGS).putLong(DynamicReader.DT_STRSZ).putLong(strings.position())
        .putLong(DynamicReader.DT_SYMENT).putLong(24);
    e.section(".dynamic", CraftedElf.SHT_DYNAMIC, DYNAMIC, dynamic.capacity(), dynstr, 16);
    e.segment(CraftedElf.PT_LOAD, 0, LENGTH);
    e.bytes(STRINGS, strings.array()).bytes(SYMBOLS, symbols.array()).bytes(DYNAMIC, dynamic.array()).bytes(HASH, hash);
    return e;
  }

  private static ElfFile withSysvTable(int nbucket, int nchain, int[] buckets, int[] chains) {
    ByteBuffer h = ByteBuffer.allocate(8 + 4 * (buckets.length + chains.length)).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(nbucket).putInt(nchain);
    for (int b : buckets) {
      h.putInt(b);
    }
    for (int c : chains) {
      h.putInt(c);
    }
    return parse(withSymbols(DynamicReader.DT_HASH, h.array()));
  }

  /** One bucket holding symbols 1 to 3, the last one ending the chain when {@code ended}. */
  private static ElfFile withGnuTable(int nbuckets, boolean ended) {
    ByteBuffer h = ByteBuffer.allocate(16 + 8 + 4 + 12).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(nbuckets).putInt(1).putInt(1).putInt(6).putLong(-1).putInt(1);
    for (int i = 0; i < NAMES.size(); i++) {
      int hash = (int) SymbolLookup.gnuHash(NAMES.get(i).getBytes(StandardCharsets.US_ASCII)) & ~1;
      h.putInt(i == NAMES.size() - 1 && ended ? hash | 1 : hash);
    }
    return parse(withSymbols(DynamicReader.DT_GNU_HASH, h.array()));
  }

  private static ElfFile parse(CraftedElf e) {
    try {
      return ElfFile.parse(ByteBuffer.wrap(e.image()), "crafted");
    } catch (ElfException ex) {
      throw new AssertionError(ex);
    }
  }
}
