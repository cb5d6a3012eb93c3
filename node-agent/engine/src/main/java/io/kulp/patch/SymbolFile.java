package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The symbols of a library, written by {@code ulp extract} before the library is stripped, so
 * that patches can be packed for the stripped build (docs/patch-format.md, "Symbol file").
 *
 * @param library the basename the process loads the library by (its SONAME)
 * @param buildId the library's build-id
 * @param symbols its defined functions, data and TLS variables, from .symtab and .dynsym
 */
public record SymbolFile(String library, BuildId buildId, List<Entry> symbols) {

  public SymbolFile {
    Objects.requireNonNull(library);
    Objects.requireNonNull(buildId);
    symbols = List.copyOf(symbols);
  }

  /**
   * One symbol.
   *
   * @param name symbol name
   * @param offset st_value: from the load base, or within the TLS block for {@link SymbolType#TLS}
   * @param size st_size in bytes
   * @param type FUNC, GNU_IFUNC, OBJECT or TLS
   * @param binding LOCAL, GLOBAL, WEAK or GNU_UNIQUE
   */
  public record Entry(String name, long offset, long size, SymbolType type, SymbolBinding binding) {
    public static Entry of(ElfSymbol s) {
      return new Entry(s.name(), s.value(), s.size(), s.type(), s.binding());
    }
  }

  /** Whether {@code ulp extract} keeps a symbol: named, defined, and code, data or TLS. */
  public static boolean isExtracted(ElfSymbol s) {
    return !s.name().isEmpty() && s.isDefined()
        && (s.type().isCode() || s.type() == SymbolType.OBJECT || s.type() == SymbolType.TLS);
  }

  /** Extracts the symbols of {@code elf} (.symtab first, then .dynsym, without repeats). */
  public static SymbolFile of(ElfFile elf, String library, BuildId buildId) throws ElfException {
    Set<Entry> entries = new LinkedHashSet<>();
    for (List<ElfSymbol> table : List.of(elf.symbols(), elf.dynamicSymbols())) {
      for (ElfSymbol s : table) {
        if (isExtracted(s)) {
          entries.add(Entry.of(s));
        }
      }
    }
    return new SymbolFile(library, buildId, new ArrayList<>(entries));
  }
}
