package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Binutils;
import io.kulp.testing.Bounded;
import io.kulp.testing.Fixtures;
import io.kulp.testing.HostileElfFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sparse 1 GiB files of issue #10 that declare huge or overlapping tables: each read ends
 * within seconds and a few MiB, with an {@link ElfException} naming the limit or with a clean
 * answer. (HostileElfIT reads them again in a 64 MiB heap.)
 */
class HostileElfTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final long MAX_ALLOCATED = 48L << 20;
  @TempDir static Path tmp;
  private static Map<String, Path> files;

  @BeforeAll
  static void writeFiles() {
    files = HostileElfFiles.all(tmp);
  }

  @Test
  void aRuntimeWithAHugeSymbolTableAndNoHashTableIsRefusedWithTheLimit() {
    assertThat(failure(files.get("huge-dynsym"), elf -> elf.dynamicSymbol("kulp_abi")))
        .hasMessageContaining(".dynsym (symbols) declares 44651861, more than the 1048576 kulp reads");
    assertThat(failure(files.get("huge-dynsym"), ElfFile::dynamicSymbols)).hasMessageContaining("1048576");
  }

  @Test
  void theRealRuntimeInAHugeSparseFileIsStillFoundThroughItsHashTable() throws Exception {
    Path file = files.get("huge-runtime-dynsym");
    Object[] found = new Object[1];
    assertThat(Bounded.run(LIMIT, MAX_ALLOCATED, () -> {
      try (ElfFile elf = ElfFile.open(file)) {
        found[0] = elf.dynamicSymbol("kulp_abi");
      }
    })).isNull();
    assertThat(found[0]).isEqualTo(Optional.of(ElfFile.open(Fixtures.libpulp()).dynamicSymbol("kulp_abi").orElseThrow()));
    assertThat(((Optional<?>) found[0]).map(s -> ((ElfSymbol) s).value()))
        .contains(Binutils.nmValue(Fixtures.libpulp(), "kulp_abi"));
    assertThat(failure(file, ElfFile::dynamicSymbols)).hasMessageContaining("more than the 1048576 kulp reads");
  }

  @Test
  void aHugeSymtabIsRefusedForExtract() {
    assertThat(failure(files.get("huge-symtab"), ElfFile::symbols))
        .hasMessageContaining(".symtab (symbols) declares 44651861, more than the 1048576 kulp reads");
  }

  @Test
  void aHugeNoteIsNoBuildIdAndIsNotCopied() throws Exception {
    Object[] buildId = new Object[1];
    assertThat(Bounded.run(LIMIT, MAX_ALLOCATED, () -> {
      try (ElfFile elf = ElfFile.open(files.get("huge-note"))) {
        buildId[0] = elf.buildId();
      }
    })).isNull();
    assertThat(buildId[0]).isEqualTo(Optional.empty());
    assertThat(failure(files.get("huge-note"), ElfFile::notes))
        .hasMessageContaining("a note descriptor of 1072693232 bytes is more than the 65536 kulp reads");
  }

  @Test
  void hugeAndOverlappingPatchableEntryTablesAreRefusedWithTheLimit() {
    assertThat(failure(files.get("huge-patchable-entries"), ElfFile::patchableEntries))
        .hasMessageContaining("__patchable_function_entries (entries) declares 134086656, more than the 1048576");
    assertThat(failure(files.get("overlapping-patchable-entries"), ElfFile::patchableEntries))
        .hasMessageContaining("__patchable_function_entries (entries) declares 2279473152, more than the 1048576");
  }

  @Test
  void overlappingRelocationTablesStopAtTheReadBudget() {
    assertThat(failure(files.get("overlapping-relocations"), ElfFile::patchableEntries))
        .hasMessageContaining("takes more than the 64 MiB kulp reads of one file");
  }

  @Test
  void sectionNamesAreCappedAtTheirLength() {
    assertThat(failure(files.get("endless-section-names"), elf -> elf)).hasMessageContaining(
        "section name at index 0 is longer than the 1024 bytes kulp reads");
  }

  @Test
  void aHugeSectionIsNotCopied() {
    assertThat(failure(files.get("huge-ulp-section"), elf -> elf.sectionBytes(".ulp", 65536)))
        .hasMessageContaining("section .ulp is 1071644672 bytes, more than the 65536 it may have");
    assertThat(failure(files.get("huge-ulp-section"), elf -> elf.sectionBytes(".ulp")))
        .hasMessageContaining("more than the 16777216 it may have");
  }

  @Test
  void everyReadOfEveryHostileFileEndsCleanly() {
    for (Map.Entry<String, Path> f : files.entrySet()) {
      Throwable t = Bounded.run(LIMIT, MAX_ALLOCATED, () -> {
        try (ElfFile elf = ElfFile.open(f.getValue())) {
          for (Read r : new Read[] {ElfFile::symbols, ElfFile::dynamicSymbols, ElfFile::notes, ElfFile::buildId,
              ElfFile::soname, ElfFile::patchableEntries, PaddingSurvey::of, e -> e.dynamicSymbol("kulp_abi"),
              e -> e.sectionBytes(".ulp", 65536)}) {
            try {
              r.read(elf);
            } catch (ElfException expected) {
              assertThat(expected.getMessage()).startsWith(f.getValue() + ": not a valid ELF file: ");
            }
          }
        } catch (ElfException expected) {
          assertThat(expected.getMessage()).startsWith(f.getValue() + ": not a valid ELF file: ");
        }
      });
      assertThat(t).as(f.getKey()).isNull();
    }
  }

  @FunctionalInterface
  private interface Read {
    Object read(ElfFile elf) throws ElfException;
  }

  /** Opens {@code file} and reads it with {@code read}, which must fail with an ElfException within the bounds. */
  private static Throwable failure(Path file, Read read) {
    Throwable t = Bounded.run(LIMIT, MAX_ALLOCATED, () -> {
      try (ElfFile elf = ElfFile.open(file)) {
        read.read(elf);
      }
    });
    assertThat(t).as("what reading %s threw", file.getFileName()).isInstanceOf(ElfException.class);
    assertThat(t.getMessage()).startsWith(file + ": not a valid ELF file: ");
    return t;
  }
}
