package io.kulp.packer;

import io.kulp.patch.SymbolFile;
import java.util.List;

/**
 * One place the packer looks a target symbol up: {@code .symtab}, {@code .dynsym}, or a
 * symbol file.
 *
 * @param label how messages name it
 * @param entries its defined code, data and TLS symbols
 */
record SymbolSource(String label, List<SymbolFile.Entry> entries) {

  List<SymbolFile.Entry> named(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).toList();
  }
}
