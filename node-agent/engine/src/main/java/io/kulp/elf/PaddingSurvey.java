package io.kulp.elf;

/**
 * How many functions of a file carry live-patch padding.
 *
 * @param entries addresses listed in {@code __patchable_function_entries}
 * @param usable of those, the ones with the 14+2 NOP layout kulp patches ({@link PatchablePadding})
 */
public record PaddingSurvey(int entries, int usable) {

  public static PaddingSurvey of(ElfFile elf) throws ElfException {
    long[] entries = elf.patchableEntries();
    int usable = 0;
    for (long e : entries) {
      if (PatchablePadding.at(elf, e).isUsable()) {
        usable++;
      }
    }
    return new PaddingSurvey(entries.length, usable);
  }
}
