package io.kulp.cli;

import io.kulp.elf.ElfFile;
import io.kulp.elf.PaddingSurvey;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ulp livepatchable LIB}: exit 0 when LIB's functions carry kulp's padding, 1 (with the reason) when not. */
@Command(name = "livepatchable", description = "Tell whether LIB was built so that kulp can patch it.")
final class LivepatchableCommand extends UlpSubcommand {
  @Parameters(paramLabel = "LIB", description = "A shared library or executable.")
  private Path library;

  @Override
  public Integer call() throws Exception {
    PaddingSurvey s;
    boolean hasSection;
    try (ElfFile elf = ElfFile.open(library)) {
      s = PaddingSurvey.of(elf);
      hasSection = elf.section(ElfFile.PATCHABLE_ENTRIES).isPresent();
    }
    String verdict;
    int code;
    if (s.entries() == 0) {
      verdict = "not livepatchable: built without -fpatchable-function-entry ("
          + (hasSection ? "its " + ElfFile.PATCHABLE_ENTRIES + " section is empty"
              : "no " + ElfFile.PATCHABLE_ENTRIES + " section")
          + "); rebuild it with -fpatchable-function-entry=16,14";
      code = 1;
    } else if (s.usable() == 0) {
      verdict = "not livepatchable: its " + s.entries() + " padded functions lack the 14+2-byte NOP layout of"
          + " -fpatchable-function-entry=16,14 that kulp needs";
      code = 1;
    } else {
      verdict = "livepatchable: " + s.usable() + " functions carry the padding"
          + (s.usable() < s.entries() ? " (" + (s.entries() - s.usable()) + " more have another layout)" : "");
      code = 0;
    }
    if (!verbosity().quiet()) {
      out().println(library.getFileName() + ": " + verdict);
    }
    return code;
  }
}
