package io.kulp.packer;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.LibrarySymbols;
import io.kulp.patch.SymbolFile;
import io.kulp.x86.FunctionEntries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The library a patch is for, as the packer sees it: its load name, build-id, where to look up
 * symbols (in order), and, when it is an ELF file rather than a symbol file, how each of its
 * functions can be patched. An ELF target stays open until {@link #close()}: its code is decoded
 * only if a function without padding is asked about.
 *
 * @param name basename the process loads it by (SONAME, else the file name)
 * @param buildId its build-id
 * @param sources symbol tables to search, first match wins
 * @param entries the functions' verdicts; null for symbol files, which record neither padding nor code
 * @param file the open library; null for symbol files
 */
record TargetLibrary(String name, BuildId buildId, List<SymbolSource> sources, FunctionEntries entries, ElfFile file)
    implements AutoCloseable {

  /** {@code elf}, which the returned library closes; a stripped one's .symtab comes from its debug file under {@code debugRoot}. */
  static TargetLibrary of(ElfFile elf, String name, BuildId buildId, java.nio.file.Path debugRoot) throws IOException {
    LibrarySymbols symbols = LibrarySymbols.of(elf, debugRoot);
    List<SymbolSource> sources = new ArrayList<>();
    sources.add(new SymbolSource(symbols.symtabSource(), entries(symbols.symtab())));
    sources.add(new SymbolSource(ElfFile.DYNSYM, entries(symbols.dynsym())));
    return new TargetLibrary(name, buildId, sources, FunctionEntries.of(elf, symbols), elf);
  }

  static TargetLibrary of(SymbolFile file, String source) {
    return new TargetLibrary(file.library(), file.buildId(), List.of(new SymbolSource(source, file.symbols())), null,
        null);
  }

  /** False for symbol files, which do not record the padding or the code. */
  boolean knowsCode() {
    return entries != null;
  }

  /** The names of the places searched, for messages: ".symtab, .dynsym". */
  String searched() {
    return String.join(", ", sources.stream().map(SymbolSource::label).toList());
  }

  boolean isStripped() {
    return knowsCode() && sources.get(0).entries().isEmpty();
  }

  Optional<SymbolSource> firstHaving(String symbol) {
    return sources.stream().filter(s -> !s.named(symbol).isEmpty()).findFirst();
  }

  @Override
  public void close() throws IOException {
    if (file != null) {
      file.close();
    }
  }

  private static List<SymbolFile.Entry> entries(List<ElfSymbol> symbols) {
    return symbols.stream().filter(SymbolFile::isExtracted).map(SymbolFile.Entry::of).toList();
  }
}
