package io.kulp.cli;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfFile;
import io.kulp.patch.AtomicFile;
import io.kulp.patch.PatchException;
import io.kulp.patch.SymbolFile;
import io.kulp.patch.SymbolFileJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp extract LIB -o FILE}: saves a library's symbols for packing patches against its
 * stripped build; {@code -d DEBUGINFO} (libpulp's) takes them from LIB's separate debug file.
 */
@Command(name = "extract", description = "Write the symbols of LIB as JSON, for packing patches against a stripped LIB.")
final class ExtractCommand extends UlpSubcommand {
  @Parameters(paramLabel = "LIB", description = "The unstripped library.")
  private Path library;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the JSON (default: stdout).")
  private Path output;

  @Option(names = {"-d", "--with-debuginfo"}, paramLabel = "DEBUGINFO",
      description = "Take the symbols from this separate debug file of LIB (objcopy --only-keep-debug; same build-id).")
  private Path debuginfo;

  @Override
  public Integer call() throws Exception {
    BuildId id;
    String name;
    SymbolFile symbols;
    try (ElfFile elf = ElfFile.open(library)) {
      id = elf.buildId().orElseThrow(() -> new PatchException(library
          + " has no build-id (no NT_GNU_BUILD_ID note), so patches cannot be matched to it: link it with -Wl,--build-id"));
      name = elf.soname().orElse(library.getFileName().toString());
      symbols = debuginfo == null ? SymbolFile.of(elf, name, id) : fromDebuginfo(elf, name, id);
    }
    String json = SymbolFileJson.write(symbols);
    if (output == null) {
      out().print(json);
      return 0;
    }
    AtomicFile.write(output, json.getBytes(StandardCharsets.UTF_8));
    if (!verbosity().quiet()) {
      out().println("wrote " + symbols.symbols().size() + " symbols of " + name + " (build-id "
          + id.hex() + ") to " + output);
    }
    return 0;
  }

  /**
   * The symbols of the debug file, with the name and build-id of LIB: a stripped library keeps
   * its .dynsym only, its debug file the .symtab. The build-ids must match, or the offsets belong
   * to another build.
   */
  private SymbolFile fromDebuginfo(ElfFile lib, String name, BuildId id) throws Exception {
    try (ElfFile debug = ElfFile.open(debuginfo)) {
      BuildId debugId = debug.buildId().orElseThrow(() -> new PatchException(debuginfo
          + " has no build-id, so it cannot be matched to " + library));
      if (!debugId.equals(id)) {
        throw new PatchException(debuginfo + " is the debug file of another build (build-id " + debugId.hex()
            + "), not of " + library + " (build-id " + id.hex() + ")");
      }
      SymbolFile own = SymbolFile.of(lib, name, id);
      SymbolFile fromDebug = SymbolFile.of(debug, name, id);
      Set<SymbolFile.Entry> all = new LinkedHashSet<>(fromDebug.symbols());
      all.addAll(own.symbols());
      return new SymbolFile(name, id, new ArrayList<>(all));
    }
  }
}
