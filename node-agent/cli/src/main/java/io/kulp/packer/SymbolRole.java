package io.kulp.packer;

import io.kulp.elf.SymbolType;
import io.kulp.patch.ReferenceKind;

/** What a description line needs a symbol to be. */
enum SymbolRole {
  FUNCTION("a function"),
  DATA("a data object"),
  TLS("a TLS variable");

  private final String description;

  SymbolRole(String description) {
    this.description = description;
  }

  static SymbolRole of(ReferenceKind kind) {
    return kind == ReferenceKind.TLS ? TLS : DATA;
  }

  boolean accepts(SymbolType type) {
    return switch (this) {
      case FUNCTION -> type.isCode();
      case DATA -> type == SymbolType.OBJECT || type == SymbolType.COMMON;
      case TLS -> type == SymbolType.TLS;
    };
  }

  @Override
  public String toString() {
    return description;
  }
}
