package io.kulp.elf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The symbols of a library: its {@code .symtab} (hidden and static functions too), or, when the
 * library is stripped, the {@code .symtab} of its {@link SeparateDebugFile}; and its {@code
 * .dynsym}.
 *
 * @param symtab the full symbol table; empty when the library is stripped and no debug file was found
 * @param symtabSource where {@code symtab} came from, for messages: {@code .symtab}, or the debug file's path
 * @param dynsym the dynamic symbols
 */
public record LibrarySymbols(List<ElfSymbol> symtab, String symtabSource, List<ElfSymbol> dynsym) {

  /** The symbols of {@code elf}, looking for its debug file under {@code debugRoot} when it is stripped (null: do not). */
  public static LibrarySymbols of(ElfFile elf, Path debugRoot) throws IOException {
    List<ElfSymbol> own = elf.symbols();
    if (own.isEmpty() && debugRoot != null) {
      Optional<BuildId> id = elf.buildId();
      if (id.isPresent()) {
        Optional<ElfFile> debug = SeparateDebugFile.open(debugRoot, id.get());
        if (debug.isPresent()) {
          try (ElfFile d = debug.get()) {
            return new LibrarySymbols(d.symbols(), ElfFile.SYMTAB + " of " + d.source(), elf.dynamicSymbols());
          }
        }
      }
    }
    return new LibrarySymbols(own, ElfFile.SYMTAB, elf.dynamicSymbols());
  }

  public LibrarySymbols {
    symtab = List.copyOf(symtab);
    dynsym = List.copyOf(dynsym);
  }

  /** True when the symbols come from a separate debug file. */
  public boolean fromDebugFile() {
    return !symtabSource.equals(ElfFile.SYMTAB);
  }

  /** {@code .symtab}'s symbols, then {@code .dynsym}'s. */
  public List<ElfSymbol> all() {
    List<ElfSymbol> out = new ArrayList<>(symtab.size() + dynsym.size());
    out.addAll(symtab);
    out.addAll(dynsym);
    return out;
  }
}
