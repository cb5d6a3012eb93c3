package io.kulp.x86;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.LibrarySymbols;
import io.kulp.x86.EntryVerdict.Unprepared;
import io.kulp.x86.FunctionEntries.FunctionVerdict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's own builds, as shipped (no padding, stripped): which of their functions a 5-byte jump
 * at the entry may redirect.
 */
class DebianLibrariesTest {
  static final Path LIBZ = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
  static final Path LIBCRYPTO = Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");

  private ElfFile elf;

  @AfterEach
  void close() throws IOException {
    if (elf != null) {
      elf.close();
    }
  }

  @Test
  void zlibsCompressBoundIsRedirectedAtItsEntryWithTheCrcOfItsFirstFiveBytes() throws IOException {
    FunctionEntries libz = entries(LIBZ);
    ElfSymbol compressBound = symbol("compressBound");

    EntryVerdict v = libz.verdict(compressBound.value(), compressBound.size(), compressBound.type());

    // mov rax, rdi (3 bytes); mov rdx, rdi (3 bytes): the jump ends inside the second.
    assertThat(v).isEqualTo(new Unprepared(compressBound.value(), crc(compressBound.value())));
  }

  @Test
  void zlibVersionCrc32AndAdler32AreRedirectableToo() throws IOException {
    FunctionEntries libz = entries(LIBZ);
    for (String name : List.of("zlibVersion", "crc32", "adler32")) {
      ElfSymbol s = symbol(name);
      assertThat(libz.verdict(s.value(), s.size(), s.type())).as(name).isInstanceOf(Unprepared.class);
    }
  }

  @Test
  void mostOfZlibsFunctionsAreRedirectableAndNoneIsPrepared() throws IOException {
    List<FunctionVerdict> all = entries(LIBZ).all();

    assertThat(all).hasSizeGreaterThan(80).noneMatch(f -> f.verdict() instanceof EntryVerdict.Prepared);
    assertThat(all.stream().filter(f -> f.verdict() instanceof Unprepared).count()).isGreaterThan(all.size() * 3 / 4);
  }

  @Test
  void libcryptosExportedFunctionsAreJudgedInOneSweepOfItsCode() throws IOException {
    long start = System.nanoTime();
    List<FunctionVerdict> all = entries(LIBCRYPTO).all();
    long ms = (System.nanoTime() - start) / 1_000_000;
    long unprepared = all.stream().filter(f -> f.verdict() instanceof Unprepared).count();
    System.out.printf("libcrypto.so.3: %d functions, %d redirectable, %d refused, judged in %d ms%n", all.size(),
        unprepared, all.size() - unprepared, ms);

    for (String name : List.of("EVP_DigestInit_ex", "SHA256_Init", "BN_new", "OPENSSL_cleanse")) {
      long entry = symbol(name).value();
      assertThat(verdictOf(all, name)).as(name).isInstanceOfSatisfying(Unprepared.class,
          u -> assertThat(u.redirectPoint()).isIn(entry, entry + 4));
    }
    assertThat(unprepared).isGreaterThan(all.size() / 2);
  }

  private static EntryVerdict verdictOf(List<FunctionVerdict> all, String name) {
    return all.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().verdict();
  }

  private FunctionEntries entries(Path library) throws IOException {
    if (elf != null) {
      elf.close();
    }
    elf = ElfFile.open(library);
    return FunctionEntries.of(elf, LibrarySymbols.of(elf, null));
  }

  private ElfSymbol symbol(String name) throws IOException {
    return elf.dynamicSymbol(name).orElseThrow();
  }

  private int crc(long address) throws IOException {
    ByteBuffer b = elf.readVirtual(address, 5);
    CRC32 crc = new CRC32();
    crc.update(b);
    return (int) crc.getValue();
  }
}
