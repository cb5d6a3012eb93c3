package io.kulp.elf;

import java.util.ArrayList;
import java.util.List;

/** Decodes a SHT_SYMTAB or SHT_DYNSYM section together with its linked string table. */
final class SymbolTableReader {
  private SymbolTableReader() {}

  static List<ElfSymbol> read(ElfBytes in, ElfSection table, List<ElfSection> sections) throws ElfException {
    if (table.entrySize() != ElfSymbol.ENTRY_SIZE) {
      throw in.error(table.name() + " has entry size " + table.entrySize() + ", expected " + ElfSymbol.ENTRY_SIZE);
    }
    in.check(table.offset(), table.size(), table.name());
    if (table.link() <= 0 || table.link() >= sections.size()) {
      throw in.error(table.name() + " links to string table " + table.link() + ", which does not exist");
    }
    ElfSection strings = sections.get((int) table.link());
    in.check(strings.offset(), strings.size(), table.name() + " string table " + strings.name());
    long count = table.size() / ElfSymbol.ENTRY_SIZE;
    List<ElfSymbol> out = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      long at = table.offset() + i * ElfSymbol.ENTRY_SIZE;
      long nameIndex = in.u32(at, "st_name");
      int info = in.u8(at + 4, "st_info");
      int shndx = in.u16(at + 6, "st_shndx");
      String name = nameIndex == 0 ? "" : in.cstring(strings.offset(), strings.size(), nameIndex, table.name());
      out.add(new ElfSymbol(name, in.u64(at + 8, "st_value"), in.u64(at + 16, "st_size"),
          SymbolType.of(info & 0xf), SymbolBinding.of(info >>> 4), shndx));
    }
    return List.copyOf(out);
  }
}
