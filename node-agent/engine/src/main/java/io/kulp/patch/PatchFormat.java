package io.kulp.patch;

/** Constants of the {@code .ulp} binary layout (docs/patch-format.md). */
public final class PatchFormat {
  /** "KULP" read as a little-endian 32-bit number. */
  public static final int MAGIC = 0x504c554b;
  public static final int VERSION = 1;

  public static final int HEADER_SIZE = 208;
  public static final int FUNCTION_SIZE = 24;
  public static final int REFERENCE_SIZE = 24;
  public static final int LABEL_SIZE = 4;
  public static final int TABLE_ALIGNMENT = 8;

  public static final int MAX_SECTION_SIZE = 65536;
  public static final int MAX_FUNCTIONS = 256;
  public static final int MAX_REFERENCES = 256;
  public static final int MAX_LABELS = 32;
  /** Bytes of one string, without its NUL. */
  public static final int MAX_STRING = 1023;

  /**
   * Function record flags bit 0 ({@code KULP_FUNC_UNPREPARED} in kulp.h): the old function has no
   * kulp padding and is redirected with a 5-byte {@code jmp rel32} at its redirect point; the
   * record's entry CRC then holds the CRC-32 of those 5 bytes. No other bit is defined.
   */
  public static final int FUNC_UNPREPARED = 0x1;
  /**
   * Header flags bit 0 ({@code KULP_PATCH_CONSISTENT} in kulp.h): the patch is applied and reverted
   * only when no thread runs, or will return into, the code the change stops calling (the
   * consistency check, {@code ulp packer --consistent}). No other bit is defined.
   */
  public static final int PATCH_CONSISTENT = 0x1;
  /** Bytes at an unprepared function's redirect point that the jump replaces and the entry CRC covers. */
  public static final int REDIRECT_SIZE = 5;

  // Header field offsets.
  static final int OFF_MAGIC = 0;
  static final int OFF_VERSION = 4;
  static final int OFF_KIND = 6;
  static final int OFF_SIZE = 8;
  static final int OFF_CRC = 12;
  static final int OFF_ID = 16;
  static final int OFF_STRINGS = 32;
  static final int OFF_STRINGS_SIZE = 36;
  static final int OFF_LIBRARY = 40;
  static final int OFF_TARGET_ID_LEN = 44;
  static final int OFF_FLAGS = 45;
  static final int OFF_TARGET_ID = 48;
  static final int OFF_CONTAINER_ID_LEN = 112;
  static final int OFF_CONTAINER_ID = 120;
  static final int OFF_FUNC_COUNT = 184;
  static final int OFF_FUNCS = 188;
  static final int OFF_REF_COUNT = 192;
  static final int OFF_REFS = 196;
  static final int OFF_LABEL_COUNT = 200;
  static final int OFF_LABELS = 204;

  private PatchFormat() {}
}
