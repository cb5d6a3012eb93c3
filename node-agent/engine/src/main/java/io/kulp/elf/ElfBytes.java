package io.kulp.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian reads over the whole file. Every offset and length comes
 * from the file itself, so each one is checked here before use: a damaged file yields an
 * {@link ElfException}, never an index or allocation error.
 */
final class ElfBytes {
  private final ByteBuffer buf;
  private final String source;

  ElfBytes(ByteBuffer buf, String source) {
    this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
  }

  long size() {
    return buf.capacity();
  }

  String source() {
    return source;
  }

  ElfException error(String detail) {
    return new ElfException(source + ": not a valid ELF file: " + detail);
  }

  /** Checks that [off, off+len) lies inside the file; offsets are unsigned 64-bit values. */
  void check(long off, long len, String what) throws ElfException {
    if (off < 0 || len < 0 || len > size() || off > size() - len) {
      throw error(what + " (offset " + Long.toUnsignedString(off) + ", " + Long.toUnsignedString(len)
          + " bytes) lies outside the file (" + size() + " bytes)");
    }
  }

  int u8(long off, String what) throws ElfException {
    check(off, 1, what);
    return buf.get((int) off) & 0xff;
  }

  int u16(long off, String what) throws ElfException {
    check(off, 2, what);
    return buf.getShort((int) off) & 0xffff;
  }

  long u32(long off, String what) throws ElfException {
    check(off, 4, what);
    return buf.getInt((int) off) & 0xffff_ffffL;
  }

  long u64(long off, String what) throws ElfException {
    check(off, 8, what);
    return buf.getLong((int) off);
  }

  /** A read-only little-endian view of [off, off+len). */
  ByteBuffer slice(long off, long len, String what) throws ElfException {
    check(off, len, what);
    // asReadOnlyBuffer() resets the byte order, so the order is set last.
    return buf.slice((int) off, (int) len).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  byte[] bytes(long off, long len, String what) throws ElfException {
    check(off, len, what); // also bounds len by the file size, so the cast is exact
    byte[] out = new byte[(int) len];
    buf.get((int) off, out);
    return out;
  }

  /** The NUL-terminated string at {@code index} of the string table at [tableOff, tableOff+tableSize). */
  String cstring(long tableOff, long tableSize, long index, String what) throws ElfException {
    check(tableOff, tableSize, what + " string table");
    if (index < 0 || index >= tableSize) {
      throw error(what + " name index " + Long.toUnsignedString(index) + " is outside its string table ("
          + tableSize + " bytes)");
    }
    int start = (int) (tableOff + index);
    int end = (int) (tableOff + tableSize);
    for (int i = start; i < end; i++) {
      if (buf.get(i) == 0) {
        byte[] raw = new byte[i - start];
        buf.get(start, raw);
        return new String(raw, StandardCharsets.UTF_8);
      }
    }
    throw error(what + " name at index " + index + " is not NUL-terminated");
  }
}
