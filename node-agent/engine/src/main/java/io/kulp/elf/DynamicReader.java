package io.kulp.elf;

import java.util.List;
import java.util.Optional;

/** Reads DT_SONAME from the {@code .dynamic} section and the string table it links to. */
final class DynamicReader {
  private static final long DT_NULL = 0;
  private static final long DT_SONAME = 14;
  private static final int ENTRY_SIZE = 16;

  private DynamicReader() {}

  static Optional<String> soname(ElfBytes in, List<ElfSection> sections) throws ElfException {
    ElfSection dynamic = null;
    for (ElfSection s : sections) {
      if (s.type() == ElfSection.SHT_DYNAMIC) {
        dynamic = s;
        break;
      }
    }
    if (dynamic == null) {
      return Optional.empty();
    }
    in.check(dynamic.offset(), dynamic.size(), ".dynamic");
    if (dynamic.link() <= 0 || dynamic.link() >= sections.size()) {
      throw in.error(".dynamic links to string table " + dynamic.link() + ", which does not exist");
    }
    ElfSection strings = sections.get((int) dynamic.link());
    for (long pos = 0; pos + ENTRY_SIZE <= dynamic.size(); pos += ENTRY_SIZE) {
      long tag = in.u64(dynamic.offset() + pos, "d_tag");
      if (tag == DT_NULL) {
        break;
      }
      if (tag == DT_SONAME) {
        long index = in.u64(dynamic.offset() + pos + 8, "d_val");
        return Optional.of(in.cstring(strings.offset(), strings.size(), index, "DT_SONAME"));
      }
    }
    return Optional.empty();
  }
}
