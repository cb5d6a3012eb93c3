package io.kulp.cli;

import io.kulp.elf.ElfFile;
import io.kulp.elf.LibrarySymbols;
import io.kulp.elf.PaddingSurvey;
import io.kulp.x86.EntryVerdict;
import io.kulp.x86.FunctionEntries;
import io.kulp.x86.FunctionEntries.FunctionVerdict;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp livepatchable LIB}: exit 0 when kulp can patch some function of LIB, through its
 * padding or with a jump at its entry; 1 (with the reason) when it can patch none. A library with
 * kulp's padding is answered as libpulp's tool answers, without decoding its code.
 */
@Command(name = "livepatchable", description = "Tell whether LIB was built so that kulp can patch it, or which of"
    + " its functions kulp can patch without padding.")
final class LivepatchableCommand extends UlpSubcommand {
  @Parameters(paramLabel = "LIB", description = "A shared library or executable.")
  private Path library;

  @Option(names = "--functions", description = "List every function: NAME prepared (kulp's padding), NAME unprepared"
      + " (a 5-byte jump at its entry is safe), or NAME no: REASON.")
  private boolean functions;

  @Option(names = "--debug-dir", paramLabel = "DIR", defaultValue = "/usr/lib/debug",
      description = "Where separate debug files are, by build-id: a stripped library's static functions are named"
          + " by its debug file's .symtab (default: ${DEFAULT-VALUE}).")
  private Path debugDir;

  @Override
  public Integer call() throws Exception {
    try (ElfFile elf = ElfFile.open(library)) {
      PaddingSurvey s = PaddingSurvey.of(elf);
      if (s.usable() > 0 && !functions) {
        return report("livepatchable: " + s.usable() + " functions carry the padding"
            + (s.usable() < s.entries() ? " (" + (s.entries() - s.usable()) + " more have another layout)" : ""), 0);
      }
      FunctionEntries entries = FunctionEntries.of(elf, LibrarySymbols.of(elf, debugDir));
      List<FunctionVerdict> all = entries.all();
      if (functions && !verbosity().quiet()) {
        list(all);
      }
      long prepared = all.stream().filter(f -> f.verdict() instanceof EntryVerdict.Prepared).count();
      long unprepared = all.stream().filter(f -> f.verdict() instanceof EntryVerdict.Unprepared).count();
      if (prepared + unprepared == 0) {
        return report("not livepatchable: built without -fpatchable-function-entry ("
            + (s.entries() == 0 ? "no " + ElfFile.PATCHABLE_ENTRIES + " section"
                : "its " + s.entries() + " padded functions lack the 14+2-byte NOP layout kulp needs")
            + "), and none of its " + all.size() + " functions can take a jump at its entry"
            + (functions ? "" : " (--functions says why)") + "; rebuild it with -fpatchable-function-entry=16,14", 1);
      }
      return report("livepatchable: " + prepared + " functions carry the padding, " + unprepared + " more can take a"
          + " jump at their entry, " + (all.size() - prepared - unprepared) + " cannot"
          + (entries.symbols().fromDebugFile() ? " (symbols from " + entries.symbols().symtabSource() + ")" : ""), 0);
    }
  }

  private void list(List<FunctionVerdict> all) {
    PrintWriter out = out();
    for (FunctionVerdict f : all) {
      EntryVerdict v = f.verdict();
      out.println(f.name() + (v instanceof EntryVerdict.Prepared ? " prepared"
          : v instanceof EntryVerdict.Unprepared ? " unprepared"
          : " no: " + ((EntryVerdict.Refused) v).reason()));
    }
  }

  private int report(String verdict, int code) {
    if (!verbosity().quiet()) {
      out().println(library.getFileName() + ": " + verdict);
    }
    return code;
  }
}
