package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import io.kulp.patch.SymbolFileJson.Invalid;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A symbol file written by libpulp's {@code ulp extract}: one object {@code "library"} with the
 * library's {@code name} (the basename it was extracted from), {@code buildid} (hex) and
 * {@code symbols}, each with {@code name}, {@code offset}, {@code size}, and the raw
 * {@code st_info} and {@code st_other} bytes, every symbol of {@code .dynsym} then
 * {@code .symtab}. Read into the same {@link SymbolFile} as kulp's own format.
 */
final class LibpulpSymbolFile {
  private LibpulpSymbolFile() {}

  static SymbolFile read(Map<?, ?> library) throws Invalid {
    String name = SymbolFileJson.as(String.class, library.get("name"), "\"library\".name");
    String hex = SymbolFileJson.as(String.class, library.get("buildid"), "\"library\".buildid");
    BuildId buildId;
    try {
      buildId = BuildId.ofHex(hex);
    } catch (IllegalArgumentException e) {
      throw new Invalid("\"library\".buildid is not 1 to 64 bytes of hex: " + e.getMessage());
    }
    // libpulp writes no array at all for a library without symbols.
    Object listed = library.get("symbols");
    List<?> list = listed == null ? List.of() : SymbolFileJson.as(List.class, listed, "\"library\".symbols");
    Set<SymbolFile.Entry> symbols = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "\"library\".symbols[" + i + "]";
      SymbolFile.Entry e = entry(SymbolFileJson.as(Map.class, list.get(i), where), where);
      if (e != null) {
        symbols.add(e);
      }
    }
    return new SymbolFile(name, buildId, List.copyOf(symbols));
  }

  /**
   * One symbol, or null for one kulp does not keep: not code, data or TLS, or undefined.
   * libpulp does not record the section index, so an imported (undefined) symbol shows as
   * offset 0; no function or variable of a shared object sits there (its ELF header does),
   * but a TLS variable may.
   */
  private static SymbolFile.Entry entry(Map<?, ?> m, String where) throws Invalid {
    String name = SymbolFileJson.as(String.class, m.get("name"), where + ".name");
    long offset = SymbolFileJson.as(Long.class, m.get("offset"), where + ".offset");
    long size = SymbolFileJson.as(Long.class, m.get("size"), where + ".size");
    long info = SymbolFileJson.as(Long.class, m.get("st_info"), where + ".st_info");
    if (offset < 0 || size < 0 || info < 0 || info > 0xff) {
      throw new Invalid(where + ": offset and size must not be negative, and st_info must be one byte");
    }
    SymbolType type = SymbolType.of((int) info & 0xf);
    boolean kept = type.isCode() || type == SymbolType.OBJECT || type == SymbolType.TLS;
    if (name.isEmpty() || !kept || (offset == 0 && type != SymbolType.TLS)) {
      return null;
    }
    return new SymbolFile.Entry(name, offset, size, type, SymbolBinding.of((int) info >> 4));
  }
}
