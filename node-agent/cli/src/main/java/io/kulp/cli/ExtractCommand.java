package io.kulp.cli;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfFile;
import io.kulp.patch.AtomicFile;
import io.kulp.patch.PatchException;
import io.kulp.patch.SymbolFile;
import io.kulp.patch.SymbolFileJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ulp extract LIB -o FILE}: saves a library's symbols for packing patches against its stripped build. */
@Command(name = "extract", description = "Write the symbols of LIB as JSON, for packing patches against a stripped LIB.")
final class ExtractCommand extends UlpSubcommand {
  @Parameters(paramLabel = "LIB", description = "The unstripped library.")
  private Path library;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the JSON (default: stdout).")
  private Path output;

  @Override
  public Integer call() throws Exception {
    BuildId id;
    String name;
    SymbolFile symbols;
    try (ElfFile elf = ElfFile.open(library)) {
      id = elf.buildId().orElseThrow(() -> new PatchException(library
          + " has no build-id (no NT_GNU_BUILD_ID note), so patches cannot be matched to it: link it with -Wl,--build-id"));
      name = elf.soname().orElse(library.getFileName().toString());
      symbols = SymbolFile.of(elf, name, id);
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
}
