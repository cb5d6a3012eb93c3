package io.kulp.testing;

import static io.kulp.testing.CraftedElf.DATA;
import static io.kulp.testing.CraftedElf.GIB;
import static io.kulp.testing.CraftedElf.MIB;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ELF files of issue #10 (finding 3) that a hostile workload can map for the node agent to
 * read: sparse 1 GiB files (a few KiB on disk) whose headers declare tables as large as the file,
 * or tables that overlap thousands of times. The reader used to allocate or loop over what they
 * declare.
 */
public final class HostileElfFiles {
  /** Sparse files are this long: a few KiB on disk, 1 GiB to whoever believes their headers. */
  public static final long LENGTH = GIB;

  private HostileElfFiles() {}

  /** Every case, by name, written into {@code dir}. */
  public static Map<String, Path> all(Path dir) {
    Map<String, Path> out = new LinkedHashMap<>();
    out.put("huge-dynsym", hugeDynamicSymbolTable(dir.resolve("huge-dynsym.so")));
    out.put("huge-symtab", hugeSymbolTable(dir.resolve("huge-symtab.so")));
    out.put("huge-note", hugeNote(dir.resolve("huge-note.so")));
    out.put("huge-patchable-entries", hugePatchableEntries(dir.resolve("huge-patchable-entries.so")));
    out.put("overlapping-patchable-entries", overlappingPatchableEntries(dir.resolve("overlapping-entries.so")));
    out.put("overlapping-relocations", overlappingRelocations(dir.resolve("overlapping-relocations.so")));
    out.put("endless-section-names", endlessSectionNames(dir.resolve("endless-section-names.so")));
    out.put("huge-ulp-section", hugeUlpSection(dir.resolve("huge-ulp.so")));
    out.put("huge-runtime-dynsym", hugeRuntimeDynamicSymbolTable(dir.resolve("huge-runtime-dynsym.so")));
    return out;
  }

  /** A .dynsym of 1 GiB (44 million entries) and no hash table: what libpulp.so would be to a naive reader. */
  public static Path hugeDynamicSymbolTable(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    int strings = e.section(".dynstr", CraftedElf.SHT_STRTAB, DATA, 16, 0, 0);
    e.bytes(DATA, "\0kulp_abi\0".getBytes(StandardCharsets.US_ASCII));
    e.section(".dynsym", CraftedElf.SHT_DYNSYM, 2 * MIB, tableSize(2 * MIB), strings, 24);
    return e.write(file);
  }

  /** A .symtab of 1 GiB behind a valid build-id: what {@code ulp extract} reads whole. */
  public static Path hugeSymbolTable(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    buildId(e, DATA);
    int strings = e.section(".strtab", CraftedElf.SHT_STRTAB, DATA + 4096, 16, 0, 0);
    e.section(".symtab", CraftedElf.SHT_SYMTAB, 2 * MIB, tableSize(2 * MIB), strings, 24);
    return e.write(file);
  }

  /** A GNU note whose descriptor is the whole 1 GiB note section. */
  public static Path hugeNote(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    long size = LENGTH - DATA;
    e.section(".note.gnu.build-id", CraftedElf.SHT_NOTE, DATA, size, 0, 0);
    e.bytes(DATA, noteHeader(4, size - 16, 3, "GNU\0"));
    return e.write(file);
  }

  /** {@code __patchable_function_entries} of 1 GiB: 134 million zero addresses. */
  public static Path hugePatchableEntries(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    e.section("__patchable_function_entries", CraftedElf.SHT_PROGBITS, DATA, LENGTH - DATA, 0, 0);
    return e.write(file);
  }

  /** 17 sections {@code __patchable_function_entries} over the same 1 GiB: more entries than an int counts. */
  public static Path overlappingPatchableEntries(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    e.sections(17, e.name("__patchable_function_entries"), CraftedElf.SHT_PROGBITS, DATA, LENGTH - DATA);
    return e.write(file);
  }

  /** One zero padding address, and 2,000 relocation tables over the same 1 GiB to look it up in. */
  public static Path overlappingRelocations(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    e.section("__patchable_function_entries", CraftedElf.SHT_PROGBITS, DATA, 8, 0, 0);
    e.sections(2000, e.name(".rela.dyn"), CraftedElf.SHT_RELA, 2 * MIB, tableSize(2 * MIB));
    return e.write(file);
  }

  /** 4,000 sections all named by one 8 MiB string: every name copied is 8 MiB. */
  public static Path endlessSectionNames(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    byte[] a = new byte[(int) (8 * MIB)];
    Arrays.fill(a, (byte) 'A');
    a[a.length - 1] = 0;
    e.bytes(DATA, a);
    e.sectionNamesAt(DATA, a.length);
    e.sections(4000, 0, CraftedElf.SHT_PROGBITS, DATA, 16);
    return e.write(file);
  }

  /** A patch container whose {@code .ulp} section is 1 GiB. */
  public static Path hugeUlpSection(Path file) {
    CraftedElf e = new CraftedElf(LENGTH);
    buildId(e, DATA);
    e.section(".ulp", CraftedElf.SHT_PROGBITS, 2 * MIB, LENGTH - 2 * MIB, 0, 0);
    return e.write(file);
  }

  /**
   * The real libpulp.so at the start of a 1 GiB sparse file whose {@code .dynsym} section header
   * claims the rest: valid to the dynamic loader, which goes through the hash table, as kulp does.
   */
  public static Path hugeRuntimeDynamicSymbolTable(Path file) {
    try {
      byte[] image = Files.readAllBytes(Fixtures.libpulp());
      ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
      long shoff = b.getLong(40);
      int shnum = b.getShort(60) & 0xffff;
      for (int i = 0; i < shnum; i++) {
        int at = (int) shoff + 64 * i;
        if (b.getInt(at + 4) == CraftedElf.SHT_DYNSYM) {
          b.putLong(at + 32, (LENGTH - b.getLong(at + 24)) / 24 * 24);
        }
      }
      Files.write(file, image);
      try (var out = new java.io.RandomAccessFile(file.toFile(), "rw")) {
        out.setLength(LENGTH);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The size of a table of 24-byte entries from {@code offset} to the end of the file. */
  private static long tableSize(long offset) {
    return (LENGTH - offset) / 24 * 24;
  }

  /** A .note.gnu.build-id section with a 20-byte build-id at {@code offset}. */
  private static void buildId(CraftedElf e, long offset) {
    byte[] note = noteHeader(4, 20, 3, "GNU\0");
    byte[] full = Arrays.copyOf(note, note.length + 20);
    Arrays.fill(full, note.length, full.length, (byte) 0x5a);
    e.section(".note.gnu.build-id", CraftedElf.SHT_NOTE, offset, full.length, 0, 0);
    e.bytes(offset, full);
  }

  private static byte[] noteHeader(long nameSize, long descriptorSize, long type, String name) {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt((int) nameSize).putInt((int) descriptorSize).putInt((int) type).put(name.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }
}
