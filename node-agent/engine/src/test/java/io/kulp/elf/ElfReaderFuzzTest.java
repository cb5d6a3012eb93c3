package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CraftedElf;
import io.kulp.testing.Fixtures;
import io.kulp.testing.Fuzz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Fuzzes the ELF reader (docs/fuzzing.md): real libraries with damaged headers and tables, and
 * small files whose every header field is chosen at random. Whatever the bytes, everything the
 * engine and ulp read of a file ends in an answer or an {@link ElfException}, within bounds.
 */
class ElfReaderFuzzTest {
  /** The fixture library and the runtime: each has every table kulp reads (hash, notes, padding, relocations). */
  private static final List<Library> LIBRARIES = List.of(Library.of(Fixtures.library()), Library.of(Fixtures.libpulp()));
  private static final int CRAFTED_LENGTH = 64 * 1024;
  /** Crafted files hold their tables in slots of 4 KiB from 16 KiB on, where headers and tags often point. */
  private static final int CONTENTS = 16 * 1024;
  private static final int SLOT = 4096;
  private static final int SLOTS = 8;

  @Property
  void damagedLibrariesReadCleanly(@ForAll("damagedLibraries") byte[] image) {
    readsEverything(image);
  }

  @Property
  void craftedFilesReadCleanly(@ForAll("craftedFiles") byte[] image) {
    readsEverything(image);
  }

  /** Reads all that the engine and the CLI read; only ElfException may end it. */
  private static void readsEverything(byte[] image) {
    Throwable t = Fuzz.allowing(() -> {
      try (ElfFile elf = ElfFile.parse(ByteBuffer.wrap(image), "fuzz")) {
        for (Read r : READS) {
          try {
            r.read(elf);
          } catch (ElfException e) {
            assertThat(e.getMessage()).startsWith("fuzz: not a valid ELF file: ");
          }
        }
      }
    }, ElfException.class);
    if (t != null) {
      assertThat(t.getMessage()).startsWith("fuzz: not a valid ELF file: ");
    }
  }

  @FunctionalInterface
  private interface Read {
    Object read(ElfFile elf) throws ElfException;
  }

  private static final List<Read> READS = List.of(ElfFile::symbols, ElfFile::dynamicSymbols, ElfFile::notes,
      ElfFile::buildId, ElfFile::soname, ElfFile::patchableEntries, PaddingSurvey::of, e -> e.dynamicSymbol("kulp_abi"),
      e -> e.dynamicSymbol("kfix_value"), e -> e.sectionBytes(".ulp", 65536), e -> {
        for (ElfSection s : e.sections()) {
          e.contents(s);
        }
        return null;
      });

  @Provide
  Arbitrary<byte[]> damagedLibraries() {
    Arbitrary<Library> library = Arbitraries.of(LIBRARIES);
    Arbitrary<List<Write>> writes = write().list().ofMinSize(1).ofMaxSize(16);
    Arbitrary<Integer> cut = Arbitraries.oneOf(Arbitraries.just(100), Arbitraries.integers().between(0, 99));
    return Combinators.combine(library, writes, cut).as(Library::damaged);
  }

  /** A value of 1 to 8 bytes written into one of a file's areas, at a fraction of its length. */
  private record Write(int area, double at, int width, long value) {}

  private static Arbitrary<Write> write() {
    return Combinators.combine(Arbitraries.integers().between(0, Library.AREAS - 1), Arbitraries.doubles().between(0, 1),
        Arbitraries.of(1, 2, 4, 8), Fuzz.interestingNumbers()).as(Write::new);
  }

  /** A real library and the file areas worth damaging: its headers, and the tables kulp reads. */
  private record Library(byte[] image, List<long[]> areas) {
    static final int AREAS = 4;

    static Library of(Path file) {
      try (ElfFile elf = ElfFile.open(file)) {
        byte[] image = Files.readAllBytes(file);
        List<long[]> tables = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
          if (s.hasFileBytes() && s.type() != ElfSection.SHT_PROGBITS || s.name().equals(ElfFile.PATCHABLE_ENTRIES)) {
            tables.add(new long[] {s.offset(), s.size()});
          }
        }
        ElfHeader h = elf.header();
        List<long[]> areas = List.of(new long[] {0, ElfHeader.SIZE},
            new long[] {h.programHeaderOffset(), (long) h.programHeaderCount() * ElfHeader.PROGRAM_HEADER_SIZE},
            new long[] {h.sectionHeaderOffset(), (long) h.sectionHeaderCount() * ElfHeader.SECTION_HEADER_SIZE},
            new long[] {0, image.length});
        List<long[]> all = new ArrayList<>(areas);
        all.addAll(tables);
        return new Library(image, all);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    byte[] damaged(List<Write> writes, int percentKept) {
      ByteBuffer b = ByteBuffer.wrap(image.clone()).order(ByteOrder.LITTLE_ENDIAN);
      for (Write w : writes) {
        // Areas past the fixed four are the tables; area 3 (the whole file) stands for them half the time.
        long[] a = w.area() == 3 && w.at() < 0.5 ? areas.get(3 + (int) (w.at() * 2 * (areas.size() - 3)))
            : areas.get(w.area());
        int at = (int) Math.min(b.capacity() - 8, a[0] + (long) (w.at() * a[1]));
        at = w.width() == 1 ? at : at & -w.width();
        switch (w.width()) {
          case 1 -> b.put(at, (byte) w.value());
          case 2 -> b.putShort(at, (short) w.value());
          case 4 -> b.putInt(at, (int) w.value());
          default -> b.putLong(at, w.value());
        }
      }
      return Arrays.copyOf(b.array(), (int) ((long) b.capacity() * percentKept / 100));
    }
  }

  @Provide
  Arbitrary<byte[]> craftedFiles() {
    // Mostly the skeleton of a shared object (its tables in slots 0 to 5, one PT_LOAD over the whole file),
    // with a header changed here and there, and more sections with any values.
    List<Arbitrary<long[]>> skeleton = new ArrayList<>();
    for (long[] s : SKELETON) {
      skeleton.add(Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(s)), Tuple.of(1, Fuzz.interestingNumbers()
          .map(size -> new long[] {s[0], s[1], s[2], size, s[4], s[5]})), Tuple.of(1, Arbitraries.just(new long[0]))));
    }
    Arbitrary<List<long[]>> sections = Combinators.combine(Combinators.combine(skeleton).as(l -> l),
        section().list().ofMaxSize(6)).as((a, b) -> {
          List<long[]> all = new ArrayList<>(a.stream().filter(s -> s.length > 0).toList());
          all.addAll(b);
          return all;
        });
    Arbitrary<List<long[]>> segments = Arbitraries.frequencyOf(
        Tuple.of(7, Arbitraries.just(List.of(new long[] {ProgramHeader.PT_LOAD, 0, CRAFTED_LENGTH}))),
        Tuple.of(3, segment().list().ofMaxSize(4)));
    Arbitrary<byte[]> junk = Arbitraries.bytes().array(byte[].class).ofMaxSize(256);
    List<Arbitrary<byte[]>> slots = new ArrayList<>();
    for (Arbitrary<byte[]> kind : List.of(dynamicTable(), hashTable(), symbolTable(), stringTable(), paddingEntries(),
        notes(), relocations(), junk)) {
      slots.add(Arbitraries.frequencyOf(Tuple.of(9, kind), Tuple.of(1, junk)));
    }
    return Combinators.combine(sections, segments, Combinators.combine(slots).as(l -> l)).as(ElfReaderFuzzTest::crafted);
  }

  /** name index, type, offset, size, link, entry size of the sections of a small shared object, by slot. */
  private static final List<long[]> SKELETON = List.of(
      new long[] {4, 6, slot(0), 192, 4, 16},
      new long[] {6, 0x6ffffff6L, slot(1), 128, 3, 0},
      new long[] {0, 11, slot(2), 192, 4, 24},
      new long[] {1, 3, slot(3), 32, 0, 0},
      new long[] {9, 1, slot(4), 64, 0, 0},
      new long[] {5, 7, slot(5), 128, 0, 0},
      new long[] {8, 4, slot(6), 192, 3, 24});

  private static long slot(int i) {
    return CONTENTS + (long) i * SLOT;
  }

  /** Mostly slot {@code i}'s address, else any {@link #place()}. */
  private static Arbitrary<Long> slotOrPlace(int i) {
    return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(slot(i))), Tuple.of(1, place()));
  }

  /** An offset or address: mostly a slot's start, where a table may be. */
  private static Arbitrary<Long> place() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, SLOTS - 1).map(i -> (long) CONTENTS + (long) i * SLOT),
        Arbitraries.integers().between(0, SLOTS - 1).map(i -> (long) CONTENTS + (long) i * SLOT),
        Arbitraries.longs().between(0, CRAFTED_LENGTH), Fuzz.interestingNumbers());
  }

  private static final String[] NAMES = {".dynsym", ".dynstr", ".symtab", ".strtab", ".dynamic", ".note.gnu.build-id",
      ".gnu.hash", ".hash", ".rela.dyn", ElfFile.PATCHABLE_ENTRIES, ".ulp", ".text", ""};
  private static final Long[] SECTION_TYPES = {1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 11L, 0x6ffffff6L, 0x12345L};

  /** name index, type, offset, size, link, entry size. */
  private static Arbitrary<long[]> section() {
    Arbitrary<Long> offset = place();
    Arbitrary<Long> size = Arbitraries.oneOf(Arbitraries.of(0L, 8L, 16L, 24L, 48L, 64L, 4096L),
        Arbitraries.longs().between(0, CRAFTED_LENGTH), Fuzz.interestingNumbers());
    return Combinators.combine(Arbitraries.integers().between(0, NAMES.length - 1), Arbitraries.of(SECTION_TYPES), offset,
        size, Arbitraries.longs().between(0, 14), Arbitraries.of(0L, 24L, 16L, 1L, 0xffffL))
        .as((n, t, o, s, l, e) -> new long[] {n, t, o, s, l, e});
  }

  /** type, offset, file size. */
  private static Arbitrary<long[]> segment() {
    return Combinators.combine(Arbitraries.of(1L, 2L, 4L, 7L), Arbitraries.oneOf(Arbitraries.just(0L),
        Arbitraries.longs().between(0, CRAFTED_LENGTH), Fuzz.interestingNumbers()), Arbitraries.oneOf(
        Arbitraries.just((long) CRAFTED_LENGTH), Arbitraries.longs().between(0, CRAFTED_LENGTH), Fuzz.interestingNumbers()))
        .as((t, o, s) -> new long[] {t, o, s});
  }

  /**
   * A dynamic table: mostly one that has what a lookup needs (a hash table, the symbol and string
   * tables and the string table's size), with addresses inside the file or not; then any tags.
   */
  private static Arbitrary<byte[]> dynamicTable() {
    Arbitrary<Long> tag = Arbitraries.of(0L, 4L, 5L, 6L, 10L, 11L, 14L, 0x6ffffef5L, 99L);
    Arbitrary<Long> value = Arbitraries.oneOf(place(), Arbitraries.longs().between(0, 512));
    Arbitrary<long[]> entry = Combinators.combine(tag, value).as((t, v) -> new long[] {t, v});
    Arbitrary<List<long[]>> lookup = Combinators.combine(Arbitraries.of(4L, 0x6ffffef5L), slotOrPlace(1), slotOrPlace(2),
        slotOrPlace(3), Arbitraries.oneOf(Arbitraries.just(32L), Fuzz.interestingNumbers())).as((hash, h, sym, str, size) -> List.of(
            new long[] {hash, h}, new long[] {6, sym}, new long[] {5, str}, new long[] {10, size}));
    Arbitrary<List<long[]>> prefix = Arbitraries.frequencyOf(Tuple.of(3, lookup), Tuple.of(1, Arbitraries.just(List.of())));
    return Combinators.combine(prefix, entry.list().ofMaxSize(8)).as((a, b) -> {
      ByteBuffer buf = ByteBuffer.allocate(16 * (a.size() + b.size())).order(ByteOrder.LITTLE_ENDIAN);
      a.forEach(e -> buf.putLong(e[0]).putLong(e[1]));
      b.forEach(e -> buf.putLong(e[0]).putLong(e[1]));
      return buf.array();
    });
  }

  /**
   * A hash table's words (System V: nbucket, nchain, buckets, chains; GNU: nbuckets, symoffset,
   * bloom size and shift, bloom words, buckets, hashes): small counts and indexes, so that lookups
   * follow them somewhere, and now and then anything.
   */
  private static Arbitrary<byte[]> hashTable() {
    Arbitrary<Integer> word = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(0, 8)),
        Tuple.of(1, Arbitraries.integers()));
    return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(0, 16),
        word.list().ofMinSize(8).ofMaxSize(30)).as((a, b, rest) -> {
          ByteBuffer buf = ByteBuffer.allocate(8 + 4 * rest.size()).order(ByteOrder.LITTLE_ENDIAN);
          buf.putInt(a).putInt(b);
          rest.forEach(buf::putInt);
          return buf.array();
        });
  }

  /** {@code __patchable_function_entries}: zero (lld leaves them so) or addresses, 8 bytes each. */
  private static Arbitrary<byte[]> paddingEntries() {
    return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0L)), Tuple.of(1, place())).list().ofMaxSize(8)
        .map(entries -> {
          ByteBuffer b = ByteBuffer.allocate(8 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
          entries.forEach(b::putLong);
          return b.array();
        });
  }

  /** R_X86_64_RELATIVE relocations (or others) of the padding entries' addresses, or anywhere. */
  private static Arbitrary<byte[]> relocations() {
    Arbitrary<Long> target = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(0, 7)
        .map(i -> slot(4) + 8L * i)), Tuple.of(1, place()));
    Arbitrary<long[]> rela = Combinators.combine(target, Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(8L)),
        Tuple.of(1, Fuzz.interestingNumbers())), Fuzz.interestingNumbers()).as((o, i, a) -> new long[] {o, i, a});
    return rela.list().ofMaxSize(8).map(entries -> {
      ByteBuffer b = ByteBuffer.allocate(24 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
      entries.forEach(e -> b.putLong(e[0]).putLong(e[1]).putLong(e[2]));
      return b.array();
    });
  }

  /** Notes: GNU build-ids and others, with name and descriptor sizes that fit or do not. */
  private static Arbitrary<byte[]> notes() {
    Arbitrary<Long> size = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.longs().between(0, 24)),
        Tuple.of(1, Fuzz.interestingNumbers()));
    Arbitrary<long[]> note = Combinators.combine(size, size, Arbitraries.of(1L, 3L, 5L, 0x80000000L))
        .as((n, d, t) -> new long[] {n, d, t});
    return note.list().ofMaxSize(4).map(notes -> {
      ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
      for (long[] n : notes) {
        if (b.remaining() < 12 + 4 + 24) {
          break;
        }
        b.putInt((int) n[0]).putInt((int) n[1]).putInt((int) n[2]).put("GNU\0".getBytes(StandardCharsets.US_ASCII));
        b.position(b.position() + (int) Math.min(Math.max(n[1], 0), 20) + 4 & -4);
      }
      return b.array();
    });
  }

  /** Symbol entries with small name indexes, defined or not. */
  private static Arbitrary<byte[]> symbolTable() {
    Arbitrary<long[]> entry = Combinators.combine(Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 255),
        Arbitraries.of(0, 1, 7, 0xfff1, 0xffff), Fuzz.interestingNumbers())
        .as((name, info, shndx, value) -> new long[] {name, info, shndx, value});
    return entry.list().ofMaxSize(8).map(entries -> {
      ByteBuffer b = ByteBuffer.allocate(24 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
      entries.forEach(e -> b.putInt((int) e[0]).put((byte) e[1]).put((byte) 0).putShort((short) e[2]).putLong(e[3])
          .putLong(8));
      return b.array();
    });
  }

  /** The names looked up, NUL-terminated or cut short. */
  private static Arbitrary<byte[]> stringTable() {
    return Arbitraries.of("\0kulp_abi\0kfix_value\0", "\0kulp_abi", "kfix_value\0kulp_abi\0\0", "\0libkfix.so.1\0")
        .map(s -> s.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] crafted(List<long[]> sections, List<long[]> segments, List<byte[]> slots) {
    CraftedElf e = new CraftedElf(CRAFTED_LENGTH);
    for (long[] s : sections) {
      e.rawSection(NAMES[(int) s[0]], s[1], s[2], s[3], s[4], s[5]);
    }
    for (long[] p : segments) {
      e.rawSegment(p[0], p[1], p[2]);
    }
    for (int i = 0; i < slots.size(); i++) {
      e.bytes(slot(i), slots.get(i));
    }
    return e.image();
  }
}
