package io.kulp.elf;

/** ELF symbol bindings (the high 4 bits of st_info). */
public enum SymbolBinding {
  LOCAL, GLOBAL, WEAK, GNU_UNIQUE, OTHER;

  /** The binding of an st_info's high 4 bits. */
  public static SymbolBinding of(int code) {
    return switch (code) {
      case 0 -> LOCAL;
      case 1 -> GLOBAL;
      case 2 -> WEAK;
      case 10 -> GNU_UNIQUE;
      default -> OTHER;
    };
  }
}
