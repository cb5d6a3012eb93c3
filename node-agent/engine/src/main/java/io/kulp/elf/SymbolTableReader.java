package io.kulp.elf;

import java.util.ArrayList;
import java.util.List;

/** Decodes a SHT_SYMTAB or SHT_DYNSYM section together with its linked string table. */
final class SymbolTableReader {
  private final ElfBytes in;
  private final ElfSection table;
  private final ElfSection strings;
  private final long count;

  private SymbolTableReader(ElfBytes in, ElfSection table, List<ElfSection> sections) throws ElfException {
    if (table.entrySize() != ElfSymbol.ENTRY_SIZE) {
      throw in.error(table.name() + " has entry size " + table.entrySize() + ", expected " + ElfSymbol.ENTRY_SIZE);
    }
    in.check(table.offset(), table.size(), table.name());
    if (table.link() <= 0 || table.link() >= sections.size()) {
      throw in.error(table.name() + " links to string table " + table.link() + ", which does not exist");
    }
    this.in = in;
    this.table = table;
    this.strings = sections.get((int) table.link());
    in.check(strings.offset(), strings.size(), table.name() + " string table " + strings.name());
    this.count = table.size() / ElfSymbol.ENTRY_SIZE;
    if (count > ElfLimits.MAX_SYMBOLS) {
      throw in.tooMany(table.name() + " (symbols)", count, ElfLimits.MAX_SYMBOLS);
    }
  }

  /** Every entry of {@code table}. */
  static List<ElfSymbol> read(ElfBytes in, ElfSection table, List<ElfSection> sections) throws ElfException {
    SymbolTableReader r = new SymbolTableReader(in, table, sections);
    ElfBytes.StringTable names = r.count == 0 ? null : in.stringTable(r.strings.offset(), r.strings.size(), table.name());
    List<ElfSymbol> out = new ArrayList<>();
    for (long i = 0; i < r.count; i++) {
      in.hold(ElfLimits.SYMBOL_COST, table.name());
      long at = in.entry(table.offset(), i, ElfSymbol.ENTRY_SIZE, table.name());
      out.add(names == null ? r.symbol(i) : decode(in, at, names, table.name()));
    }
    return List.copyOf(out);
  }

  /** The first defined entry of {@code table} named {@code name}, read entry by entry; null if none. */
  static ElfSymbol find(ElfBytes in, ElfSection table, List<ElfSection> sections, byte[] name) throws ElfException {
    SymbolTableReader r = new SymbolTableReader(in, table, sections);
    for (long i = 0; i < r.count; i++) {
      long at = in.entry(table.offset(), i, ElfSymbol.ENTRY_SIZE, table.name());
      if (in.u16(at + 6, "st_shndx") != ElfSymbol.SHN_UNDEF
          && in.cstringEquals(r.strings.offset(), r.strings.size(), in.u32(at, "st_name"), name, table.name())) {
        return r.symbol(i);
      }
    }
    return null;
  }

  private ElfSymbol symbol(long i) throws ElfException {
    long at = in.entry(table.offset(), i, ElfSymbol.ENTRY_SIZE, table.name());
    return decode(in, at, strings.offset(), strings.size(), table.name());
  }

  /** The symbol entry at file offset {@code at}, its name in the string table at [stringsAt, stringsAt+stringsSize). */
  static ElfSymbol decode(ElfBytes in, long at, long stringsAt, long stringsSize, String what) throws ElfException {
    long nameIndex = in.u32(at, "st_name");
    String name = nameIndex == 0 ? "" : in.cstring(stringsAt, stringsSize, nameIndex, ElfLimits.MAX_SYMBOL_NAME, what);
    return withName(in, at, name);
  }

  /** The symbol entry at file offset {@code at}, its name in {@code names}. */
  private static ElfSymbol decode(ElfBytes in, long at, ElfBytes.StringTable names, String what) throws ElfException {
    long nameIndex = in.u32(at, "st_name");
    return withName(in, at, nameIndex == 0 ? "" : names.get(nameIndex, ElfLimits.MAX_SYMBOL_NAME, what));
  }

  private static ElfSymbol withName(ElfBytes in, long at, String name) throws ElfException {
    int info = in.u8(at + 4, "st_info");
    int shndx = in.u16(at + 6, "st_shndx");
    return new ElfSymbol(name, in.u64(at + 8, "st_value"), in.u64(at + 16, "st_size"),
        SymbolType.of(info & 0xf), SymbolBinding.of(info >>> 4), shndx);
  }
}
