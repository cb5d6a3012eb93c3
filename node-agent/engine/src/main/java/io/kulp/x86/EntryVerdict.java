package io.kulp.x86;

/** Whether, and how, kulp can redirect one function of a library (docs/design.md, "Functions without padding"). */
public sealed interface EntryVerdict {
  /** It has kulp's padding (-fpatchable-function-entry=16,14): patched through the padding. */
  record Prepared() implements EntryVerdict {}

  /**
   * No padding, but a 5-byte {@code jmp rel32} at its redirect point is safe.
   *
   * @param redirectPoint the entry, or entry+4 after an {@code endbr64}
   * @param entryCrc CRC-32 of the 5 bytes at the redirect point in the file
   */
  record Unprepared(long redirectPoint, int entryCrc) implements EntryVerdict {}

  /** Neither: {@code reason} says why, and the fix when there is one. */
  record Refused(String reason) implements EntryVerdict {}

  default boolean patchable() {
    return !(this instanceof Refused);
  }
}
