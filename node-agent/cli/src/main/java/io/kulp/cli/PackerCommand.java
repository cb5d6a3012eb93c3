package io.kulp.cli;

import io.kulp.packer.PackResult;
import io.kulp.packer.Packer;
import io.kulp.patch.PatchMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ulp packer DESC.dsc}: writes {@code .ulp} and {@code .ulp.rev} into the patch container. */
@Command(name = "packer", description = "Add the live-patch metadata described by DESC.dsc to its container .so.")
final class PackerCommand extends UlpSubcommand {
  @Parameters(paramLabel = "DESC.dsc", description = "The patch description (libpulp's format).")
  private Path description;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write the packed container here instead"
      + " of replacing the one named in the description.")
  private Path output;

  @Option(names = {"-l", "--livepatch"}, paramLabel = "LIVEPATCH", description = "Pack this container instead of"
      + " the one the description names.")
  private Path livepatch;

  @Option(names = {"-t", "--target"}, paramLabel = "LIBRARY", description = "Resolve against this target library"
      + " (or symbol file from `ulp extract`) instead of the one the description names.")
  private Path target;

  @Option(names = "--objcopy", paramLabel = "PATH", defaultValue = "${env:OBJCOPY:-objcopy}",
      description = "The objcopy to use (default: $OBJCOPY, else objcopy on PATH).")
  private String objcopy;

  @Option(names = "--debug-dir", paramLabel = "DIR", defaultValue = "/usr/lib/debug",
      description = "Where separate debug files are, by build-id (.build-id/XX/REST.debug): a stripped target's"
          + " .symtab is read from there (default: ${DEFAULT-VALUE}).")
  private Path debugDir;

  @Option(names = "--consistent", description = "The consistency check: apply and revert the patch only at a moment"
      + " when no thread runs, or will return into, a function it replaces (every thread's stack is unwound);"
      + " for patches whose old and new code must not run side by side. Not in libpulp.")
  private boolean consistent;

  @Override
  public Integer call() throws Exception {
    PackResult r = new Packer(objcopy, debugDir).consistent(consistent).pack(description, output, livepatch, target);
    PrintWriter out = out();
    if (verbosity().verbose()) {
      r.resolutions().forEach(line -> out.println("  " + line));
    }
    if (!verbosity().quiet()) {
      PatchMetadata m = r.metadata();
      out.println("packed " + r.output() + ": patch " + m.id().hex() + " for " + m.targetLibrary() + " ("
          + count(m.functions().size(), "function") + unprepared(m) + ", " + count(m.references().size(), "reference") + ", "
          + count(m.labels().size(), "label") + (m.consistent() ? ", consistency check" : "") + ")");
    }
    return 0;
  }

  /** ", 2 unprepared" when functions without padding are redirected at their entry. */
  private static String unprepared(PatchMetadata m) {
    long n = m.functions().stream().filter(f -> f.unprepared()).count();
    return n == 0 ? "" : " (" + n + " unprepared)";
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
