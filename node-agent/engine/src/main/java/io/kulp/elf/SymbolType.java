package io.kulp.elf;

/** ELF symbol types (the low 4 bits of st_info). */
public enum SymbolType {
  NOTYPE, OBJECT, FUNC, SECTION, FILE, COMMON, TLS, GNU_IFUNC, OTHER;

  /** The type of an st_info's low 4 bits. */
  public static SymbolType of(int code) {
    return switch (code) {
      case 0 -> NOTYPE;
      case 1 -> OBJECT;
      case 2 -> FUNC;
      case 3 -> SECTION;
      case 4 -> FILE;
      case 5 -> COMMON;
      case 6 -> TLS;
      case 10 -> GNU_IFUNC;
      default -> OTHER;
    };
  }

  /** Code that runs: what a function line of a patch description may name. */
  public boolean isCode() {
    return this == FUNC || this == GNU_IFUNC;
  }
}
