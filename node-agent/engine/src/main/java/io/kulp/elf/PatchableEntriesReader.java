package io.kulp.elf;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@code __patchable_function_entries}: an array of 8-byte addresses. In a shared object
 * each one is also an R_X86_64_RELATIVE relocation. GNU ld stores the address in the section
 * as well, but linkers that leave RELA targets zero (lld) only have it in the relocation's
 * addend, so a zero entry is looked up there.
 */
final class PatchableEntriesReader {
  private static final long R_X86_64_RELATIVE = 8;
  private static final int RELA_SIZE = 24;

  private PatchableEntriesReader() {}

  static long[] read(ElfFile elf, ElfBytes in) throws ElfException {
    long total = 0;
    for (ElfSection s : elf.sections()) {
      if (s.name().equals(ElfFile.PATCHABLE_ENTRIES) && s.hasFileBytes()) {
        total += s.size() / 8;
      }
    }
    long[] out = new long[(int) total]; // bounded by the file size: each entry was checked to be in it
    int n = 0;
    Map<Long, Long> relative = null;
    for (ElfSection s : elf.sections()) {
      if (!s.name().equals(ElfFile.PATCHABLE_ENTRIES) || !s.hasFileBytes()) {
        continue;
      }
      ByteBuffer b = elf.contents(s);
      for (int i = 0; i + 8 <= b.limit(); i += 8) {
        long v = b.getLong(i);
        if (v == 0) {
          if (relative == null) {
            relative = relativeAddends(elf, in);
          }
          v = relative.getOrDefault(s.addr() + i, 0L);
        }
        out[n++] = v;
      }
    }
    return out;
  }

  private static Map<Long, Long> relativeAddends(ElfFile elf, ElfBytes in) throws ElfException {
    Map<Long, Long> out = new HashMap<>();
    for (ElfSection s : elf.sections()) {
      if (s.type() != ElfSection.SHT_RELA) {
        continue;
      }
      in.check(s.offset(), s.size(), s.name());
      for (long pos = 0; pos + RELA_SIZE <= s.size(); pos += RELA_SIZE) {
        long at = s.offset() + pos;
        if ((in.u64(at + 8, "r_info") & 0xffff_ffffL) == R_X86_64_RELATIVE) {
          out.put(in.u64(at, "r_offset"), in.u64(at + 16, "r_addend"));
        }
      }
    }
    return out;
  }
}
