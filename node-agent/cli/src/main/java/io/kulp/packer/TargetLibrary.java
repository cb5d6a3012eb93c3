package io.kulp.packer;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.PatchablePadding;
import io.kulp.patch.SymbolFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The library a patch is for, as the packer sees it: its load name, build-id, where to look up
 * symbols (in order), and, when it is an ELF file rather than a symbol file, which function
 * entries carry usable live-patch padding.
 *
 * @param name basename the process loads it by (SONAME, else the file name)
 * @param buildId its build-id
 * @param sources symbol tables to search, first match wins
 * @param patchableEntries function entries with kulp's padding; empty when unknown
 * @param knowsPadding false for symbol files, which do not record the padding
 */
record TargetLibrary(
    String name, BuildId buildId, List<SymbolSource> sources, Set<Long> patchableEntries, boolean knowsPadding) {

  static TargetLibrary of(ElfFile elf, String name, BuildId buildId) throws java.io.IOException {
    List<SymbolSource> sources = new ArrayList<>();
    sources.add(new SymbolSource(ElfFile.SYMTAB, entries(elf.symbols())));
    sources.add(new SymbolSource(ElfFile.DYNSYM, entries(elf.dynamicSymbols())));
    Set<Long> usable = new HashSet<>();
    for (long start : elf.patchableEntries()) {
      if (PatchablePadding.at(elf, start).isUsable()) {
        usable.add(PatchablePadding.entryOf(start));
      }
    }
    return new TargetLibrary(name, buildId, sources, usable, true);
  }

  static TargetLibrary of(SymbolFile file, String source) {
    return new TargetLibrary(file.library(), file.buildId(), List.of(new SymbolSource(source, file.symbols())),
        Set.of(), false);
  }

  /** The names of the places searched, for messages: ".symtab, .dynsym". */
  String searched() {
    return String.join(", ", sources.stream().map(SymbolSource::label).toList());
  }

  boolean isStripped() {
    return knowsPadding && sources.get(0).entries().isEmpty();
  }

  Optional<SymbolSource> firstHaving(String symbol) {
    return sources.stream().filter(s -> !s.named(symbol).isEmpty()).findFirst();
  }

  private static List<SymbolFile.Entry> entries(List<ElfSymbol> symbols) {
    return symbols.stream().filter(SymbolFile::isExtracted).map(SymbolFile.Entry::of).toList();
  }
}
