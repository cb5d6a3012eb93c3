package io.kulp.patch;

import java.util.Objects;

/**
 * One replaced function.
 *
 * @param oldName the target library's function, for messages (it is found by offset)
 * @param newName the replacement, looked up in the container with dlsym
 * @param oldOffset the old function's st_value: its entry, from the library's load base
 * @param unprepared true when the old function has no kulp padding: the runtime redirects it with a
 *     5-byte jump at its redirect point (the entry, after an {@code endbr64} if it starts with one),
 *     which the packer proved safe ({@link PatchFormat#FUNC_UNPREPARED})
 * @param entryCrc when unprepared, the CRC-32 of the 5 bytes at the redirect point in the library
 *     file the packer analysed; the runtime refuses when memory differs. 0 otherwise
 */
public record FunctionPair(String oldName, String newName, long oldOffset, boolean unprepared, int entryCrc) {
  public FunctionPair {
    Objects.requireNonNull(oldName);
    Objects.requireNonNull(newName);
    if (!unprepared && entryCrc != 0) {
      throw new IllegalArgumentException("an entry CRC belongs to an unprepared function only");
    }
  }

  /** A function with kulp's padding (built with -fpatchable-function-entry=16,14). */
  public FunctionPair(String oldName, String newName, long oldOffset) {
    this(oldName, newName, oldOffset, false, 0);
  }

  /** A function without padding, redirected at its entry; {@code entryCrc} of the 5 bytes there. */
  public static FunctionPair unprepared(String oldName, String newName, long oldOffset, int entryCrc) {
    return new FunctionPair(oldName, newName, oldOffset, true, entryCrc);
  }

  /** The flags field of the function record. */
  public int flags() {
    return unprepared ? PatchFormat.FUNC_UNPREPARED : 0;
  }
}
