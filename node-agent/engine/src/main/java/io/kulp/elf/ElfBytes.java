package io.kulp.elf;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bounds-checked little-endian reads of one ELF file, read piecewise: only the parts asked for,
 * through a cache of a few 16 KiB chunks, so a huge (or sparse) file costs what is read of it,
 * not its size. Every offset and length comes from the file itself, so each one is checked here
 * before use, and every read is charged against the file's budgets ({@link ElfLimits#MAX_READ}
 * for work, {@link ElfLimits#MAX_HELD} for heap): a damaged or hostile file yields an {@link
 * ElfException}, never an index or allocation error. A file that shrinks while it is read
 * (another process truncates it) is a short read, hence an ElfException too; unlike a mapping of
 * it, which would fault. Methods are synchronized: one file may be read from several threads.
 */
final class ElfBytes implements Closeable {
  private static final int CHUNK_SHIFT = 14;
  private static final int CHUNK = 1 << CHUNK_SHIFT;
  /** Chunks kept: a symbol table, its string table and a hash table read together stay cached. */
  private static final int SLOTS = 16;

  /** Where the bytes come from: an open file, or an image already in memory. */
  private interface Source extends Closeable {
    /** Fills {@code dst[0, len)} with the bytes at {@code pos}, all of them or an exception. */
    void read(long pos, byte[] dst, int len) throws IOException;
  }

  private final Source in;
  private final long size;
  private final String source;
  private final long[] slotChunk = new long[SLOTS];
  private final byte[][] slotBytes = new byte[SLOTS][];
  private final long[] slotUsed = new long[SLOTS];
  private int last;
  private long tick;
  private long consumed;
  private long held;

  private ElfBytes(Source in, long size, String source) {
    this.in = in;
    this.size = size;
    this.source = source;
    Arrays.fill(slotChunk, -1);
  }

  /** Reads {@code ch} (of {@code size} bytes), which this object then owns and closes. */
  static ElfBytes of(FileChannel ch, long size, String source) {
    return new ElfBytes(new Source() {
      @Override
      public void read(long pos, byte[] dst, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
        while (b.hasRemaining()) {
          if (ch.read(b, pos + b.position()) < 0) {
            throw new EOFException("the file shrank while it was read");
          }
        }
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    }, size, source);
  }

  /** Reads an image already in memory (its position to its limit). */
  static ElfBytes of(ByteBuffer image, String source) {
    ByteBuffer b = image.slice();
    return new ElfBytes(new Source() {
      @Override
      public void read(long pos, byte[] dst, int len) {
        b.get((int) pos, dst, 0, len);
      }

      @Override
      public void close() {}
    }, b.remaining(), source);
  }

  long size() {
    return size;
  }

  String source() {
    return source;
  }

  ElfException error(String detail) {
    return new ElfException(source + ": not a valid ELF file: " + detail);
  }

  /** A count the file declares beyond one of {@link ElfLimits}. */
  ElfException tooMany(String what, long count, long max) {
    return error(what + " declares " + Long.toUnsignedString(count) + ", more than the " + max + " kulp reads");
  }

  /** Checks that [off, off+len) lies inside the file; offsets are unsigned 64-bit values. */
  void check(long off, long len, String what) throws ElfException {
    if (off < 0 || len < 0 || len > size || off > size - len) {
      throw error(what + " (offset " + Long.toUnsignedString(off) + ", " + Long.toUnsignedString(len)
          + " bytes) lies outside the file (" + size + " bytes)");
    }
  }

  /**
   * {@code base + index * entrySize}, the offset of entry {@code index} of a table at {@code base};
   * a value that does not fit is outside the file.
   */
  long entry(long base, long index, long entrySize, String what) throws ElfException {
    try {
      long at = Math.addExact(base, Math.multiplyExact(index, entrySize));
      if (base >= 0 && index >= 0 && at >= 0) {
        return at;
      }
    } catch (ArithmeticException e) {
      // reported below
    }
    throw error(what + " (entry " + Long.toUnsignedString(index) + " of a table at " + Long.toUnsignedString(base)
        + ") lies outside the file (" + size + " bytes)");
  }

  synchronized int u8(long off, String what) throws ElfException {
    return (int) number(off, 1, what);
  }

  synchronized int u16(long off, String what) throws ElfException {
    return (int) number(off, 2, what);
  }

  synchronized long u32(long off, String what) throws ElfException {
    return number(off, 4, what);
  }

  synchronized long u64(long off, String what) throws ElfException {
    return number(off, 8, what);
  }

  /** A read-only little-endian copy of [off, off+len). */
  ByteBuffer slice(long off, long len, String what) throws ElfException {
    return ByteBuffer.wrap(bytes(off, len, what)).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  synchronized byte[] bytes(long off, long len, String what) throws ElfException {
    check(off, len, what);
    if (len > ElfLimits.MAX_COPY) {
      throw error(what + " is " + len + " bytes, more than the " + ElfLimits.MAX_COPY + " kulp copies");
    }
    consume(len, what);
    hold(len, what);
    byte[] out = new byte[(int) len];
    if (len > CHUNK) {
      fill(off, out, (int) len, what);
    } else {
      copy(off, out, (int) len, what);
    }
    return out;
  }

  /** Copies [off, off+len), already checked and charged, through the chunk cache. */
  private void copy(long off, byte[] out, int len, String what) throws ElfException {
    for (int i = 0; i < len;) {
      long at = off + i;
      byte[] chunk = chunk(at >>> CHUNK_SHIFT, what);
      int within = (int) (at & (CHUNK - 1));
      int n = Math.min(len - i, chunk.length - within);
      System.arraycopy(chunk, within, out, i, n);
      i += n;
    }
  }

  /**
   * The NUL-terminated string at {@code index} of the string table at [tableOff,
   * tableOff+tableSize), of at most {@code maxLength} bytes.
   */
  synchronized String cstring(long tableOff, long tableSize, long index, int maxLength, String what)
      throws ElfException {
    int length = cstringLength(tableOff, tableSize, index, maxLength, what);
    hold(length, what);
    byte[] raw = new byte[length];
    copy(tableOff + index, raw, length, what);
    return new String(raw, StandardCharsets.UTF_8);
  }

  /**
   * The string table at [off, off+size) read whole, for decoding every name of a symbol table
   * (names are scattered over the table, which a few cached chunks would read again and again);
   * null when it is larger than {@link ElfLimits#MAX_COPY}: {@link #cstring} then reads each name.
   */
  StringTable stringTable(long off, long size, String what) throws ElfException {
    check(off, size, what + " string table");
    return size > ElfLimits.MAX_COPY ? null : new StringTable(bytes(off, size, what + " string table"));
  }

  /** A string table in memory; its names are charged like those {@link #cstring} reads. */
  final class StringTable {
    private final byte[] table;

    private StringTable(byte[] table) {
      this.table = table;
    }

    String get(long index, int maxLength, String what) throws ElfException {
      if (index < 0 || index >= table.length) {
        throw error(what + " name index " + Long.toUnsignedString(index) + " is outside its string table ("
            + table.length + " bytes)");
      }
      int start = (int) index;
      int end = (int) Math.min(table.length, start + (long) maxLength + 1);
      for (int i = start; i < end; i++) {
        if (table[i] == 0) {
          synchronized (ElfBytes.this) {
            consume(i - start + 1, what);
            hold(i - start, what);
          }
          return new String(table, start, i - start, StandardCharsets.UTF_8);
        }
      }
      synchronized (ElfBytes.this) {
        consume(end - start, what);
      }
      if (end - start > maxLength) {
        throw error(what + " name at index " + index + " is longer than the " + maxLength + " bytes kulp reads");
      }
      throw error(what + " name at index " + index + " is not NUL-terminated");
    }
  }

  /** Whether the NUL-terminated string at {@code index} of a string table is {@code name}; copies nothing. */
  synchronized boolean cstringEquals(long tableOff, long tableSize, long index, byte[] name, String what)
      throws ElfException {
    check(tableOff, tableSize, what + " string table");
    if (index < 0 || index >= tableSize || tableSize - index <= name.length) {
      return false;
    }
    consume(name.length + 1L, what);
    long at = tableOff + index;
    for (int i = 0; i < name.length; i++) {
      if (byteAt(at + i, what) != (name[i] & 0xff)) {
        return false;
      }
    }
    return byteAt(at + name.length, what) == 0;
  }

  /** Charges {@code n} bytes of heap that the caller is about to hold for this file. */
  synchronized void hold(long n, String what) throws ElfException {
    held += n;
    if (held > ElfLimits.MAX_HELD) {
      throw error("reading " + what + " takes more than the " + (ElfLimits.MAX_HELD >> 20)
          + " MiB of memory kulp allows for one file");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private int cstringLength(long tableOff, long tableSize, long index, int maxLength, String what)
      throws ElfException {
    check(tableOff, tableSize, what + " string table");
    if (index < 0 || index >= tableSize) {
      throw error(what + " name index " + Long.toUnsignedString(index) + " is outside its string table ("
          + tableSize + " bytes)");
    }
    long start = tableOff + index;
    long end = Math.min(tableOff + tableSize, start + maxLength + 1);
    for (long at = start; at < end;) {
      // Scans a chunk at a time.
      byte[] chunk = chunk(at >>> CHUNK_SHIFT, what);
      int from = (int) (at & (CHUNK - 1));
      int to = (int) Math.min(chunk.length, from + (end - at));
      for (int i = from; i < to; i++) {
        if (chunk[i] == 0) {
          long nul = at + (i - from);
          consume(nul - start + 1, what);
          return (int) (nul - start);
        }
      }
      at += to - from;
    }
    consume(end - start, what);
    if (end - start > maxLength) {
      throw error(what + " name at index " + index + " is longer than the " + maxLength + " bytes kulp reads");
    }
    throw error(what + " name at index " + index + " is not NUL-terminated");
  }

  private long number(long off, int n, String what) throws ElfException {
    check(off, n, what);
    consume(n, what);
    int within = (int) (off & (CHUNK - 1));
    long v = 0;
    if (within + n <= CHUNK) {
      byte[] chunk = chunk(off >>> CHUNK_SHIFT, what);
      for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | (chunk[within + i] & 0xff);
      }
    } else {
      for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | byteAt(off + i, what);
      }
    }
    return v;
  }

  /** One byte at an offset already checked and charged. */
  private int byteAt(long off, String what) throws ElfException {
    return chunk(off >>> CHUNK_SHIFT, what)[(int) (off & (CHUNK - 1))] & 0xff;
  }

  private void consume(long n, String what) throws ElfException {
    consumed += n;
    if (consumed > ElfLimits.MAX_READ) {
      throw error("reading " + what + " takes more than the " + (ElfLimits.MAX_READ >> 20)
          + " MiB kulp reads of one file (do its tables overlap?)");
    }
  }

  /** Chunk {@code index} of the file (the last one may be short), from the cache or read now. */
  private byte[] chunk(long index, String what) throws ElfException {
    if (slotChunk[last] == index) {
      return slotBytes[last];
    }
    int victim = 0;
    for (int s = 0; s < SLOTS; s++) {
      if (slotChunk[s] == index) {
        last = s;
        slotUsed[s] = ++tick;
        return slotBytes[s];
      }
      if (slotUsed[s] < slotUsed[victim]) {
        victim = s;
      }
    }
    long start = index << CHUNK_SHIFT;
    int len = (int) Math.min(CHUNK, size - start);
    byte[] bytes = slotBytes[victim] != null && slotBytes[victim].length == len ? slotBytes[victim] : new byte[len];
    slotChunk[victim] = -1;
    fill(start, bytes, len, what);
    slotChunk[victim] = index;
    slotBytes[victim] = bytes;
    slotUsed[victim] = ++tick;
    last = victim;
    return bytes;
  }

  private void fill(long pos, byte[] dst, int len, String what) throws ElfException {
    try {
      in.read(pos, dst, len);
    } catch (IOException e) {
      throw new ElfException(source + ": cannot read " + what + ": " + e.getMessage());
    }
  }
}
