package io.kulp.elf;

import java.nio.ByteBuffer;

/**
 * The shape of the padding at one {@code __patchable_function_entries} address. kulp needs the
 * layout of {@code -fpatchable-function-entry=16,14}: 14 one-byte NOPs before the entry (room
 * for an absolute jump) and 2 at the entry (room for a short jump back), optionally after an
 * {@code endbr64} when the code is built with {@code -fcf-protection}. The 2 entry bytes may
 * also be the one two-byte NOP {@code 66 90}: libpulp's {@code ulp post} merges them so, ahead
 * of time, and kulp's runtime does the same before its first patch of a function.
 */
public enum PatchablePadding {
  /** 14 NOPs, then at the entry 2 NOPs (or {@code 66 90}). */
  KULP,
  /** 14 NOPs, then at the entry endbr64 and 2 NOPs (or {@code 66 90}). */
  KULP_ENDBR,
  /** Anything else: another N,M, or code that was already modified. */
  OTHER;

  public static final int BEFORE_ENTRY = 14;
  private static final int NOP = 0x90;
  private static final int OPERAND_SIZE_PREFIX = 0x66;
  private static final byte[] ENDBR64 = {(byte) 0xf3, 0x0f, 0x1e, (byte) 0xfa};

  public boolean isUsable() {
    return this != OTHER;
  }

  /** The function entry for a padding start of this shape. */
  public static long entryOf(long paddingStart) {
    return paddingStart + BEFORE_ENTRY;
  }

  /** Classifies the bytes at {@code paddingStart}, an address from {@link ElfFile#patchableEntries()}. */
  public static PatchablePadding at(ElfFile elf, long paddingStart) {
    ByteBuffer plain = read(elf, paddingStart, BEFORE_ENTRY + 2);
    if (plain == null || !nops(plain, 0, BEFORE_ENTRY)) {
      return OTHER;
    }
    if (entryNops(plain, BEFORE_ENTRY)) {
      return KULP;
    }
    ByteBuffer withEndbr = read(elf, paddingStart, BEFORE_ENTRY + ENDBR64.length + 2);
    if (withEndbr == null) {
      return OTHER;
    }
    for (int i = 0; i < ENDBR64.length; i++) {
      if (withEndbr.get(BEFORE_ENTRY + i) != ENDBR64[i]) {
        return OTHER;
      }
    }
    return entryNops(withEndbr, BEFORE_ENTRY + ENDBR64.length) ? KULP_ENDBR : OTHER;
  }

  private static ByteBuffer read(ElfFile elf, long at, int length) {
    try {
      return elf.readVirtual(at, length);
    } catch (ElfException e) {
      return null; // not backed by file bytes, e.g. past the end of the code segment
    }
  }

  /** {@code 90 90}, or {@code 66 90} as libpulp's {@code ulp post} leaves it. */
  private static boolean entryNops(ByteBuffer b, int at) {
    return ((b.get(at) & 0xff) == NOP || (b.get(at) & 0xff) == OPERAND_SIZE_PREFIX) && (b.get(at + 1) & 0xff) == NOP;
  }

  private static boolean nops(ByteBuffer b, int at, int count) {
    for (int i = at; i < at + count; i++) {
      if ((b.get(i) & 0xff) != NOP) {
        return false;
      }
    }
    return true;
  }
}
