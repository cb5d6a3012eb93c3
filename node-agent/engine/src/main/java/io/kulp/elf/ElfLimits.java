package io.kulp.elf;

/**
 * What kulp's ELF reader accepts from one file. The node agent reads files that workloads control
 * (any file a process maps as {@code libpulp.so} or as a target library), in a 64 MiB heap, so
 * nothing a file declares is allocated or looped over unchecked: counts and lengths have a cap
 * each, and two budgets per opened file bound the work and the memory of everything else. Each
 * value is far above what linkers produce; a file beyond one is refused with an {@link
 * ElfException} naming the limit.
 */
final class ElfLimits {
  private ElfLimits() {}

  /**
   * Larger files are refused before any read. The reader reads only the parts it needs, so size
   * costs nothing by itself; the limit keeps every file offset below 2^31, which is simpler to
   * check, and no shared library kulp patches comes near it.
   */
  static final long MAX_FILE_SIZE = Integer.MAX_VALUE;

  /**
   * Program headers: linkers emit about a dozen (e_phnum is 16 bits, up to 65535). Each address
   * a hash lookup follows is searched for among them, so this also bounds that work.
   */
  static final int MAX_SEGMENTS = 256;

  /** Sections: a linked library has 30 to 70, with debug sections (e_shnum allows 65535). */
  static final int MAX_SECTIONS = 4096;

  /** Bytes of a section name: linkers use short names such as {@code __patchable_function_entries}. */
  static final int MAX_SECTION_NAME = 1024;

  /**
   * Bytes of a symbol name, or of DT_SONAME: long enough for deeply templated C++ names (a few
   * KiB); a name longer than a patch can carry (1023 bytes) is still read for {@code ulp extract}.
   */
  static final int MAX_SYMBOL_NAME = 16 * 1024;

  /** Entries of one symbol table: libc has about 3,000 dynamic symbols, large C++ libraries 100,000s. */
  static final int MAX_SYMBOLS = 1 << 20;

  /** Entries of {@code .dynamic}: about 30 in practice. */
  static final int MAX_DYNAMIC_ENTRIES = 4096;

  /** Notes of one file: a build-id, an ABI tag, a property note, and perhaps SystemTap probes. */
  static final int MAX_NOTES = 4096;

  /** Bytes of a note's owner name: "GNU", "stapsdt", "FDO", "Go". */
  static final int MAX_NOTE_NAME = 256;

  /** Bytes of one note descriptor that {@link ElfFile#notes()} copies: build-ids are 20, probes tens. */
  static final int MAX_NOTE_DESCRIPTOR = 64 * 1024;

  /** Addresses in {@code __patchable_function_entries}: one per function, 1M is 100x libc. */
  static final int MAX_PATCHABLE_ENTRIES = 1 << 20;

  /**
   * Bytes copied whole out of the file in one piece (a section's contents, {@code .ulp}): tables
   * are read entry by entry instead, so only small sections are ever copied.
   */
  static final int MAX_COPY = 16 * 1024 * 1024;

  /**
   * Bytes the reader may consume from one opened file, counting every field and string byte each
   * time it is read (so sections that overlap, or names that share bytes, count once per use).
   * This bounds the time spent on a file (64 MiB is well under a second), and is twice what
   * reading the largest symbol table {@link #MAX_HELD} lets the reader keep costs.
   */
  static final long MAX_READ = 64L * 1024 * 1024;

  /**
   * Heap the reader may hand out for one opened file: names, copied bytes and decoded entries,
   * each symbol counted at {@link #SYMBOL_COST} bytes beside its name. 32 MiB holds about 300,000
   * symbols with their names, 100 times libc's {@code .dynsym}, and half of the node agent's heap
   * (which never reads whole symbol tables: it looks single symbols up through the hash tables).
   */
  static final long MAX_HELD = 32L * 1024 * 1024;

  /** What one {@link ElfSymbol} costs in heap beside its name: the record, a String, their headers. */
  static final int SYMBOL_COST = 96;
}
