package io.kulp.elf;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the dynamic table: DT_SONAME through the {@code .dynamic} section and the string table it
 * links to, and the tags the symbol lookup needs, from that section or, in a file without
 * sections, from the PT_DYNAMIC segment the loader reads.
 */
final class DynamicReader {
  static final long DT_NULL = 0;
  static final long DT_HASH = 4;
  static final long DT_STRTAB = 5;
  static final long DT_SYMTAB = 6;
  static final long DT_STRSZ = 10;
  static final long DT_SYMENT = 11;
  static final long DT_SONAME = 14;
  static final long DT_GNU_HASH = 0x6ffffef5L;
  private static final int ENTRY_SIZE = 16;

  private DynamicReader() {}

  static Optional<String> soname(ElfBytes in, List<ElfSection> sections) throws ElfException {
    ElfSection dynamic = section(sections);
    if (dynamic == null) {
      return Optional.empty();
    }
    if (dynamic.link() <= 0 || dynamic.link() >= sections.size()) {
      throw in.error(".dynamic links to string table " + dynamic.link() + ", which does not exist");
    }
    ElfSection strings = sections.get((int) dynamic.link());
    Long index = tags(in, dynamic.offset(), dynamic.size(), ".dynamic", DT_SONAME).get(DT_SONAME);
    return index == null ? Optional.empty()
        : Optional.of(in.cstring(strings.offset(), strings.size(), index, ElfLimits.MAX_SYMBOL_NAME, "DT_SONAME"));
  }

  /**
   * The values of {@code wanted} tags in the dynamic table (the first of each), none when the
   * file has no dynamic table.
   */
  static Map<Long, Long> tags(ElfBytes in, List<ElfSection> sections, List<ProgramHeader> segments, long... wanted)
      throws ElfException {
    ElfSection dynamic = section(sections);
    if (dynamic != null) {
      return tags(in, dynamic.offset(), dynamic.size(), ".dynamic", wanted);
    }
    for (ProgramHeader p : segments) {
      if (p.type() == ProgramHeader.PT_DYNAMIC) {
        return tags(in, p.offset(), p.fileSize(), "PT_DYNAMIC", wanted);
      }
    }
    return Map.of();
  }

  private static ElfSection section(List<ElfSection> sections) {
    for (ElfSection s : sections) {
      if (s.type() == ElfSection.SHT_DYNAMIC) {
        return s;
      }
    }
    return null;
  }

  private static Map<Long, Long> tags(ElfBytes in, long offset, long size, String what, long... wanted)
      throws ElfException {
    in.check(offset, size, what);
    Map<Long, Long> out = new HashMap<>();
    for (long pos = 0, n = 0; pos + ENTRY_SIZE <= size; pos += ENTRY_SIZE) {
      if (++n > ElfLimits.MAX_DYNAMIC_ENTRIES) {
        throw in.tooMany(what + " (entries before DT_NULL)", n, ElfLimits.MAX_DYNAMIC_ENTRIES);
      }
      long tag = in.u64(offset + pos, "d_tag");
      if (tag == DT_NULL) {
        break;
      }
      for (long w : wanted) {
        if (tag == w && !out.containsKey(w)) {
          out.put(w, in.u64(offset + pos + 8, "d_val"));
        }
      }
    }
    return out;
  }
}
