package io.kulp.elf;

import java.util.ArrayList;
import java.util.List;

/** Decodes the section header table and resolves section names through e_shstrndx. */
final class SectionTableReader {
  private SectionTableReader() {}

  static List<ElfSection> read(ElfBytes in, ElfHeader header) throws ElfException {
    int count = header.sectionHeaderCount();
    if (count == 0) {
      return List.of();
    }
    if (count > ElfLimits.MAX_SECTIONS) {
      throw in.tooMany("e_shnum (section headers)", count, ElfLimits.MAX_SECTIONS);
    }
    long table = header.sectionHeaderOffset();
    in.check(table, (long) count * ElfHeader.SECTION_HEADER_SIZE, "section header table");
    if (header.sectionNameIndex() >= count) {
      throw in.error("e_shstrndx " + header.sectionNameIndex() + " is not below e_shnum " + count);
    }
    long namesAt = table + (long) header.sectionNameIndex() * ElfHeader.SECTION_HEADER_SIZE;
    long namesOffset = in.u64(namesAt + 24, "sh_offset");
    long namesSize = in.u64(namesAt + 32, "sh_size");
    in.check(namesOffset, namesSize, "section name table");
    List<ElfSection> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long at = table + (long) i * ElfHeader.SECTION_HEADER_SIZE;
      long nameIndex = in.u32(at, "sh_name");
      String name = i == 0 && nameIndex == 0 ? ""
          : in.cstring(namesOffset, namesSize, nameIndex, ElfLimits.MAX_SECTION_NAME, "section");
      ElfSection s = new ElfSection(i, name, in.u32(at + 4, "sh_type"), in.u64(at + 8, "sh_flags"),
          in.u64(at + 16, "sh_addr"), in.u64(at + 24, "sh_offset"), in.u64(at + 32, "sh_size"),
          in.u32(at + 40, "sh_link"), in.u32(at + 44, "sh_info"), in.u64(at + 48, "sh_addralign"),
          in.u64(at + 56, "sh_entsize"));
      if (s.hasFileBytes() && i != 0) {
        in.check(s.offset(), s.size(), "section " + s.name());
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
