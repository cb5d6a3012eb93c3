package io.kulp.elf;

import java.util.Arrays;

/**
 * Reads {@code __patchable_function_entries}: an array of 8-byte addresses. In a shared object
 * each one is also an R_X86_64_RELATIVE relocation. GNU ld stores the address in the section
 * as well, but linkers that leave RELA targets zero (lld) only have it in the relocation's
 * addend, so a zero entry is looked up there. Only the addresses of zero entries are kept while
 * the relocations are scanned, in primitive arrays: what is held is bounded by the entry count,
 * whatever the relocation tables hold.
 */
final class PatchableEntriesReader {
  private static final long R_X86_64_RELATIVE = 8;
  private static final int RELA_SIZE = 24;

  private PatchableEntriesReader() {}

  static long[] read(ElfFile elf, ElfBytes in) throws ElfException {
    long total = 0;
    for (ElfSection s : elf.sections()) {
      if (isEntries(s)) {
        total += s.size() / 8; // each size was checked to lie in the file, so the sum cannot overflow
      }
    }
    if (total > ElfLimits.MAX_PATCHABLE_ENTRIES) {
      throw in.tooMany(ElfFile.PATCHABLE_ENTRIES + " (entries)", total, ElfLimits.MAX_PATCHABLE_ENTRIES);
    }
    in.hold(total * 8, ElfFile.PATCHABLE_ENTRIES);
    long[] out = new long[(int) total];
    int zeros = 0;
    int n = 0;
    for (ElfSection s : elf.sections()) {
      if (isEntries(s)) {
        for (long i = 0; i < s.size() / 8; i++) {
          long v = in.u64(in.entry(s.offset(), i, 8, s.name()), s.name());
          zeros += v == 0 ? 1 : 0;
          out[n++] = v;
        }
      }
    }
    if (zeros > 0) {
      fillFromRelocations(elf, in, out, zeros);
    }
    return out;
  }

  private static boolean isEntries(ElfSection s) {
    return s.name().equals(ElfFile.PATCHABLE_ENTRIES) && s.hasFileBytes();
  }

  /** Sets each zero entry to the addend of the R_X86_64_RELATIVE relocation of its address, if there is one. */
  private static void fillFromRelocations(ElfFile elf, ElfBytes in, long[] out, int zeros) throws ElfException {
    in.hold(16L * zeros, "relocations of " + ElfFile.PATCHABLE_ENTRIES);
    long[] wanted = new long[zeros];
    int w = 0;
    int n = 0;
    for (ElfSection s : elf.sections()) {
      if (isEntries(s)) {
        for (long i = 0; i < s.size() / 8; i++, n++) {
          if (out[n] == 0) {
            wanted[w++] = s.addr() + i * 8;
          }
        }
      }
    }
    Arrays.sort(wanted);
    int unique = 0;
    for (int i = 0; i < zeros; i++) {
      if (i == 0 || wanted[i] != wanted[unique - 1]) {
        wanted[unique++] = wanted[i];
      }
    }
    long[] addends = new long[zeros];
    boolean[] found = new boolean[zeros];
    for (ElfSection s : elf.sections()) {
      if (s.type() != ElfSection.SHT_RELA) {
        continue;
      }
      in.check(s.offset(), s.size(), s.name());
      for (long pos = 0; pos + RELA_SIZE <= s.size(); pos += RELA_SIZE) {
        long at = s.offset() + pos;
        if ((in.u64(at + 8, s.name()) & 0xffff_ffffL) == R_X86_64_RELATIVE) {
          int k = Arrays.binarySearch(wanted, 0, unique, in.u64(at, s.name()));
          if (k >= 0) {
            addends[k] = in.u64(at + 16, s.name());
            found[k] = true;
          }
        }
      }
    }
    n = 0;
    for (ElfSection s : elf.sections()) {
      if (isEntries(s)) {
        for (long i = 0; i < s.size() / 8; i++, n++) {
          int k = out[n] == 0 ? Arrays.binarySearch(wanted, 0, unique, s.addr() + i * 8) : -1;
          if (k >= 0 && found[k]) {
            out[n] = addends[k];
          }
        }
      }
    }
  }
}
