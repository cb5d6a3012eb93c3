package io.kulp.elf;

/**
 * One symbol of {@code .symtab} or {@code .dynsym}.
 *
 * @param name the symbol name, without any {@code @VERSION} suffix (versions live elsewhere)
 * @param value st_value: in a shared object, the offset from the load base; for {@link
 *     SymbolType#TLS}, the offset within the object's TLS block
 * @param size st_size in bytes
 * @param type from st_info
 * @param binding from st_info
 * @param sectionIndex st_shndx: 0 (SHN_UNDEF) when the symbol is only referenced here
 */
public record ElfSymbol(
    String name, long value, long size, SymbolType type, SymbolBinding binding, int sectionIndex) {

  public static final int SHN_UNDEF = 0;
  public static final int SHN_ABS = 0xfff1;
  static final int ENTRY_SIZE = 24;

  /** True if this object defines the symbol rather than importing it. */
  public boolean isDefined() {
    return sectionIndex != SHN_UNDEF;
  }
}
