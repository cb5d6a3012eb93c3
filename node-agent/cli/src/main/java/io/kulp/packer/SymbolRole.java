package io.kulp.packer;

import io.kulp.elf.SymbolType;
import io.kulp.patch.ReferenceKind;

/** What a description line needs a symbol to be. */
enum SymbolRole {
  FUNCTION("a function"),
  DATA("a data object"),
  /** What a {@code #target:ref} line may name: libpulp stores the address of a variable or of a function. */
  REFERENCE("a data object or a function"),
  TLS("a TLS variable");

  private final String description;

  SymbolRole(String description) {
    this.description = description;
  }

  static SymbolRole of(ReferenceKind kind) {
    return kind == ReferenceKind.TLS ? TLS : REFERENCE;
  }

  boolean accepts(SymbolType type) {
    return switch (this) {
      case FUNCTION -> type.isCode();
      case DATA -> type == SymbolType.OBJECT || type == SymbolType.COMMON;
      // Not GNU_IFUNC: its symbol is the resolver, whose address is not the function's.
      case REFERENCE -> type == SymbolType.OBJECT || type == SymbolType.COMMON || type == SymbolType.FUNC;
      case TLS -> type == SymbolType.TLS;
    };
  }

  @Override
  public String toString() {
    return description;
  }
}
