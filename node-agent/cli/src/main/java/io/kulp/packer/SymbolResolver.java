package io.kulp.packer;

import io.kulp.elf.SymbolType;
import io.kulp.patch.SymbolFile;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Finds the offset of a description's target symbol, with the first source that has the name. */
final class SymbolResolver {
  private SymbolResolver() {}

  /**
   * A resolved symbol.
   *
   * @param entry the symbol
   * @param source the table it came from
   */
  record Resolved(SymbolFile.Entry entry, String source) {}

  static Resolved resolve(TargetLibrary lib, String name, SymbolRole role, Path dsc, int line) throws PackerException {
    SymbolSource source = lib.firstHaving(name).orElseThrow(() -> PackerException.at(dsc, line, notFound(lib, name, role)));
    List<SymbolFile.Entry> all = source.named(name);
    List<SymbolFile.Entry> fitting = all.stream().filter(e -> role.accepts(e.type())).toList();
    if (fitting.isEmpty()) {
      throw PackerException.at(dsc, line, name + " in " + lib.name() + " is " + typeName(all.get(0).type()) + ", not " + role
          + hint(role, all.get(0).type()));
    }
    List<Long> offsets = fitting.stream().map(SymbolFile.Entry::offset).distinct().toList();
    if (offsets.size() > 1) {
      throw PackerException.at(dsc, line, name + " is ambiguous in " + lib.name() + "'s " + source.label() + ": "
          + offsets.size() + " symbols of that name at " + offsets.stream().map(o -> "0x" + Long.toHexString(o))
              .collect(Collectors.joining(", "))
          + "; kulp cannot tell which one is meant: rename one of them");
    }
    return new Resolved(fitting.get(0), source.label());
  }

  private static String notFound(TargetLibrary lib, String name, SymbolRole role) {
    String what = role == SymbolRole.FUNCTION ? "function " : role == SymbolRole.REFERENCE ? "symbol " : "variable ";
    String fix = lib.isStripped()
        ? "; the library is stripped (no .symtab), so its static symbols are only in a symbol file: run `ulp extract` on"
            + " the unstripped build and name that file in the `@` line"
        : ": check the name in the description against the library's source";
    return what + name + " not found in " + lib.name() + " (searched " + lib.searched() + ")" + fix;
  }

  private static String hint(SymbolRole role, SymbolType found) {
    if (role == SymbolRole.REFERENCE && found == SymbolType.GNU_IFUNC) {
      return ": the symbol of an ifunc is its resolver, so its address is not the function's; name the implementation"
          + " the resolver picks";
    }
    if ((role == SymbolRole.DATA || role == SymbolRole.REFERENCE) && found == SymbolType.TLS) {
      return ": TLS variables take a `#%target:ref` line";
    }
    if (role == SymbolRole.TLS && (found == SymbolType.OBJECT || found == SymbolType.COMMON)) {
      return ": ordinary variables take a `#target:ref` line";
    }
    return ": check the line";
  }

  private static String typeName(SymbolType type) {
    return switch (type) {
      case FUNC -> "a function";
      case GNU_IFUNC -> "an ifunc";
      case OBJECT, COMMON -> "a data object";
      case TLS -> "a TLS variable";
      default -> "a " + type + " symbol";
    };
  }
}
