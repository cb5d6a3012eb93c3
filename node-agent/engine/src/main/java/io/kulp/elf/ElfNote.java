package io.kulp.elf;

/**
 * One entry of a note section or segment.
 *
 * @param name the owner, e.g. {@code GNU}
 * @param type n_type, e.g. {@link #NT_GNU_BUILD_ID} for owner {@code GNU}
 * @param descriptor the note's payload
 */
public record ElfNote(String name, long type, byte[] descriptor) {
  public static final long NT_GNU_BUILD_ID = 3;
  public static final String GNU = "GNU";

  public boolean isBuildId() {
    return type == NT_GNU_BUILD_ID && GNU.equals(name);
  }
}
