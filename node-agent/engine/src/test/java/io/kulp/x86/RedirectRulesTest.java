package io.kulp.x86;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.LibrarySymbols;
import io.kulp.testing.Fixtures;
import io.kulp.x86.EntryVerdict.Prepared;
import io.kulp.x86.EntryVerdict.Refused;
import io.kulp.x86.EntryVerdict.Unprepared;
import java.io.IOException;
import java.nio.file.Path;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One function of runtime-c/fixtures/unprepared per rule of docs/design.md "Functions without
 * padding": a 5-byte jump may replace the bytes at the redirect point only when nothing can run
 * or return into the middle of it.
 */
class RedirectRulesTest {
  static final Path LIBRARY = Fixtures.unprepared().resolve("libunprepared.so.1");

  private ElfFile elf;
  private FunctionEntries entries;

  @BeforeEach
  void open() throws IOException {
    elf = ElfFile.open(LIBRARY);
    entries = FunctionEntries.of(elf, LibrarySymbols.of(elf, null));
  }

  @AfterEach
  void close() throws IOException {
    elf.close();
  }

  @Test
  void anOrdinaryFunctionIsRedirectedAtItsEntry() throws IOException {
    long entry = entry("unp_ordinary");
    assertThat(verdict("unp_ordinary")).isInstanceOfSatisfying(Unprepared.class,
        u -> assertThat(u.redirectPoint()).isEqualTo(entry));
  }

  @Test
  void aFunctionThatStartsWithEndbr64IsRedirectedAfterIt() throws IOException {
    long entry = entry("unp_cet");
    assertThat(verdict("unp_cet")).isInstanceOfSatisfying(Unprepared.class,
        u -> assertThat(u.redirectPoint()).isEqualTo(entry + 4));
  }

  @Test
  void refusesAFunctionWhoseLoopBranchesBackIntoTheFirstFiveBytes() throws IOException {
    refusal("unp_branch_back").contains(hex(entry("unp_branch_back") + 2) + " is the target of the branch at")
        .contains("a thread sent there would run the middle of the jump");
  }

  @Test
  void refusesAFunctionShorterThanTheJump() throws IOException {
    refusal("unp_tiny").contains("too short to hold the 5-byte jump: 3 bytes");
  }

  @Test
  void refusesAFunctionWhoseFirstCallReturnsInsideTheJump() throws IOException {
    refusal("unp_call_first").contains("the call at " + hex(entry("unp_call_first")))
        .contains("returns to " + hex(entry("unp_call_first") + 2));
  }

  @Test
  void refusesAFunctionThatAnotherFunctionBranchesIntoTheMiddleOf() throws IOException {
    long jz = entry("unp_jumper") + 2;
    refusal("unp_target_of_other").contains(hex(entry("unp_target_of_other") + 1) + " is the target of the branch at "
        + hex(jz));
  }

  @Test
  void refusesAFunctionWhoseMiddleHasItsAddressTaken() throws IOException {
    refusal("unp_address_taken").contains(hex(entry("unp_address_taken") + 3) + " is the address the instruction at "
        + hex(entry("unp_address_taker")) + " takes (RIP-relative)");
  }

  @Test
  void refusesBytesThatAreNoInstruction() throws IOException {
    refusal("unp_invalid").contains("the byte 0x06 at " + hex(entry("unp_invalid")) + " is no valid instruction");
  }

  @Test
  void refusesAnAddressWithoutAFunctionSymbolAndAnIfunc() throws IOException {
    assertThat(entries.verdict(entry("unp_ordinary"), 0, io.kulp.elf.SymbolType.NOTYPE))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).contains("no function symbol with a size"));
    assertThat(entries.verdict(entry("unp_ordinary"), 8, io.kulp.elf.SymbolType.GNU_IFUNC))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.reason()).contains("it is an ifunc"));
  }

  @Test
  void aFunctionWithKulpsPaddingIsPreparedWithoutDecodingAnything() throws IOException {
    try (ElfFile kfix = ElfFile.open(Fixtures.library())) {
      ElfSymbol value = kfix.dynamicSymbol("kfix_value").orElseThrow();
      assertThat(FunctionEntries.of(kfix, LibrarySymbols.of(kfix, null)).verdict(value.value(), value.size(),
          value.type())).isEqualTo(new Prepared());
    }
  }

  private EntryVerdict verdict(String name) throws IOException {
    ElfSymbol s = symbol(name);
    return entries.verdict(s.value(), s.size(), s.type());
  }

  private AbstractStringAssert<?> refusal(String name) throws IOException {
    EntryVerdict v = verdict(name);
    assertThat(v).as(name).isInstanceOf(Refused.class);
    return assertThat(((Refused) v).reason()).as(name);
  }

  private ElfSymbol symbol(String name) throws IOException {
    return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private long entry(String name) throws IOException {
    return symbol(name).value();
  }

  private static String hex(long v) {
    return String.format("0x%x", v);
  }
}
