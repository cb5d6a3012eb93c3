package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stripped library's static functions are named by the .symtab of its separate debug file,
 * found by build-id as Debian's -dbgsym packages install it (runtime-c/fixtures/unprepared).
 */
class SeparateDebugFileTest {
  static final Path FIXTURES = Fixtures.unprepared();
  static final Path STRIPPED = FIXTURES.resolve("stripped/libunprepared.so.1");
  static final Path DEBUG_ROOT = FIXTURES.resolve("debug");

  @Test
  void aStrippedLibraryTakesItsSymtabFromTheDebugFileWithItsBuildId() throws IOException {
    try (ElfFile elf = ElfFile.open(STRIPPED)) {
      LibrarySymbols symbols = LibrarySymbols.of(elf, DEBUG_ROOT);

      assertThat(elf.symbols()).isEmpty();
      assertThat(symbols.fromDebugFile()).isTrue();
      assertThat(symbols.symtabSource()).isEqualTo(".symtab of "
          + SeparateDebugFile.pathOf(DEBUG_ROOT, elf.buildId().orElseThrow()));
      assertThat(symbols.symtab()).anyMatch(s -> s.name().equals("unp_static") && s.binding() == SymbolBinding.LOCAL);
    }
  }

  @Test
  void theDebugFileIsFoundUnderBuildIdXxRestDotDebug() throws IOException {
    try (ElfFile elf = ElfFile.open(STRIPPED)) {
      String hex = elf.buildId().orElseThrow().hex();
      assertThat(SeparateDebugFile.pathOf(Path.of("/usr/lib/debug"), elf.buildId().orElseThrow()))
          .isEqualTo(Path.of("/usr/lib/debug/.build-id/" + hex.substring(0, 2) + "/" + hex.substring(2) + ".debug"));
    }
  }

  @Test
  void aDebugFileWithAnotherBuildIdIsIgnored(@TempDir Path root) throws IOException {
    try (ElfFile elf = ElfFile.open(STRIPPED)) {
      Path where = SeparateDebugFile.pathOf(root, elf.buildId().orElseThrow());
      Files.createDirectories(where.getParent());
      Files.copy(Fixtures.library(), where);

      LibrarySymbols symbols = LibrarySymbols.of(elf, root);

      assertThat(symbols.fromDebugFile()).isFalse();
      assertThat(symbols.symtab()).isEmpty();
    }
  }

  @Test
  void aLibraryWithItsOwnSymtabDoesNotLookForADebugFile() throws IOException {
    try (ElfFile elf = ElfFile.open(FIXTURES.resolve("libunprepared.so.1"))) {
      assertThat(LibrarySymbols.of(elf, DEBUG_ROOT).symtabSource()).isEqualTo(".symtab");
    }
  }
}
