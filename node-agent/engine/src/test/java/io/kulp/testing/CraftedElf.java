package io.kulp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an ELF64 x86-64 file with whatever headers a test declares, true or not: its sections
 * and segments may overlap, run to the end of a sparse file of any length, or name strings
 * that never end. Layout: the file header, the program headers at 64, the section headers at
 * 4096, then the section names; contents go where {@link #bytes} puts them ({@link #DATA} and
 * beyond is free).
 */
public final class CraftedElf {
  public static final long KIB = 1024;
  public static final long MIB = 1024 * KIB;
  public static final long GIB = 1024 * MIB;
  /** Where contents may start: above the tables, even with thousands of sections. */
  public static final long DATA = 1 * MIB;

  public static final int SHT_PROGBITS = 1;
  public static final int SHT_SYMTAB = 2;
  public static final int SHT_STRTAB = 3;
  public static final int SHT_RELA = 4;
  public static final int SHT_DYNAMIC = 6;
  public static final int SHT_NOTE = 7;
  public static final int SHT_DYNSYM = 11;
  public static final int PT_LOAD = 1;
  public static final int PT_DYNAMIC = 2;

  private static final int SECTION_TABLE = 4096;

  private final long length;
  private final List<long[]> sections = new ArrayList<>();
  private final List<long[]> segments = new ArrayList<>();
  private final ByteArrayOutputStream names = new ByteArrayOutputStream();
  private final Map<Long, byte[]> contents = new TreeMap<>();
  private long namesAt = -1;
  private long namesSize;

  /** A file of {@code length} bytes, sparse where nothing is written. */
  public CraftedElf(long length) {
    this.length = length;
    names.write(0);
    sections.add(new long[11]); // SHN_UNDEF
  }

  /** Adds a section; returns its index. Its address is its offset, as in a simple shared object. */
  public int section(String name, int type, long offset, long size, long link, long entrySize) {
    return sectionAt(name(name), type, offset, size, link, entrySize, offset);
  }

  /** Adds {@code count} sections with the same header, named by index {@code nameIndex} of the name table. */
  public CraftedElf sections(int count, long nameIndex, int type, long offset, long size) {
    for (int i = 0; i < count; i++) {
      sectionAt(nameIndex, type, offset, size, 0, 0, offset);
    }
    return this;
  }

  /** Adds a section with any values, named {@code name}; its address is its offset. */
  public int rawSection(String name, long type, long offset, long size, long link, long entrySize) {
    return sectionAt(name(name), type, offset, size, link, entrySize, offset);
  }

  /** Adds a PT_LOAD or other segment, mapped at its offset. */
  public CraftedElf segment(int type, long offset, long fileSize) {
    return rawSegment(type, offset, fileSize);
  }

  /** Adds a segment with any values, mapped at its offset. */
  public CraftedElf rawSegment(long type, long offset, long fileSize) {
    segments.add(new long[] {type, offset, offset, fileSize});
    return this;
  }

  /** Puts {@code bytes} at {@code offset}. */
  public CraftedElf bytes(long offset, byte[] bytes) {
    contents.put(offset, bytes.clone());
    return this;
  }

  /** Makes the section name table {@code .shstrtab} point at [offset, offset+size) instead of the names added. */
  public CraftedElf sectionNamesAt(long offset, long size) {
    namesAt = offset;
    namesSize = size;
    return this;
  }

  /** The index of {@code name} in the section name table, added if new. */
  public long name(String name) {
    byte[] all = names.toByteArray();
    byte[] wanted = (name + "\0").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + wanted.length <= all.length; i++) {
      if (ByteBuffer.wrap(all, i, wanted.length).equals(ByteBuffer.wrap(wanted))) {
        return i;
      }
    }
    names.writeBytes(wanted);
    return all.length;
  }

  /** Writes the file, sparse: only the headers, tables and contents occupy disk blocks. */
  public Path write(Path file) {
    try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
      out.setLength(0);
      out.setLength(length);
      for (Map.Entry<Long, byte[]> e : layout().entrySet()) {
        out.seek(e.getKey());
        out.write(e.getValue());
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file as bytes, for lengths that fit in memory. */
  public byte[] image() {
    byte[] out = new byte[Math.toIntExact(length)];
    for (Map.Entry<Long, byte[]> e : layout().entrySet()) {
      System.arraycopy(e.getValue(), 0, out, Math.toIntExact(e.getKey()), e.getValue().length);
    }
    return out;
  }

  private int sectionAt(long nameIndex, long type, long offset, long size, long link, long entrySize, long addr) {
    sections.add(new long[] {nameIndex, type, 0, addr, offset, size, link, 0, 8, entrySize});
    return sections.size() - 1;
  }

  private Map<Long, byte[]> layout() {
    long shstrndx = name(".shstrtab");
    int count = sections.size() + 1;
    long namesOffset = SECTION_TABLE + 64L * count;
    byte[] nameBytes = names.toByteArray();
    ByteBuffer table = ByteBuffer.allocate(64 * count).order(ByteOrder.LITTLE_ENDIAN);
    List<long[]> all = new ArrayList<>(sections);
    all.add(new long[] {shstrndx, SHT_STRTAB, 0, 0, namesAt >= 0 ? namesAt : namesOffset,
        namesAt >= 0 ? namesSize : nameBytes.length, 0, 0, 1, 0});
    for (long[] s : all) {
      table.putInt((int) s[0]).putInt((int) s[1]).putLong(s[2]).putLong(s[3]).putLong(s[4]).putLong(s[5])
          .putInt((int) s[6]).putInt((int) s[7]).putLong(s[8]).putLong(s.length > 9 ? s[9] : 0);
    }
    ByteBuffer phdrs = ByteBuffer.allocate(56 * segments.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (long[] p : segments) {
      phdrs.putInt((int) p[0]).putInt(4).putLong(p[1]).putLong(p[2]).putLong(p[2]).putLong(p[3]).putLong(p[3])
          .putLong(8);
    }
    ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    header.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
    header.putShort((short) 3).putShort((short) 62).putInt(1).putLong(0).putLong(segments.isEmpty() ? 0 : 64)
        .putLong(SECTION_TABLE).putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) segments.size())
        .putShort((short) 64).putShort((short) count).putShort((short) (count - 1));
    Map<Long, byte[]> out = new TreeMap<>(contents);
    out.put(0L, header.array());
    if (!segments.isEmpty()) {
      out.put(64L, phdrs.array());
    }
    out.put((long) SECTION_TABLE, table.array());
    out.put(namesOffset, nameBytes);
    return out;
  }
}
