package io.kulp.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Not a test: the build runs it (pom.xml, prepare-package) to write, from the whole command tree
 * ({@link Ulp#commandLine()}), the AsciiDoc sources of the man pages (asciidoctor turns them into
 * {@code target/man/man1/ulp.1}, {@code ulp-trigger.1}, ...; {@code target/ulp.1} links to the
 * first) and bash completion ({@code target/ulp.bash}). It sits with the test sources so that
 * picocli-codegen stays off the launcher's class path.
 *
 * <p>Arguments: the target directory.
 */
public final class UlpDocs {
  private UlpDocs() {}

  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]);
    CommandLine ulp = Ulp.commandLine();
    Path adoc = Files.createDirectories(target.resolve("man-adoc"));
    int code = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true, ulp.getCommandSpec());
    if (code != 0) {
      throw new IllegalStateException("picocli's ManPageGenerator failed: " + code);
    }
    Files.deleteIfExists(adoc.resolve("ulp-help.adoc")); // picocli's own `help` verb: `ulp help` says all
    Path link = target.resolve("ulp.1");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, Path.of("man", "man1", "ulp.1"));
    AutoComplete.bash("ulp", target.resolve("ulp.bash").toFile(), (File) null, ulp);
  }
}
