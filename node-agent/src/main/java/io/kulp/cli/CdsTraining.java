package io.kulp.cli;

import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine;

/**
 * Build-time only: runs typical {@code ulp} commands in one JVM so that the build can record
 * the classes they load in an AppCDS archive ({@code -XX:ArchiveClassesAtExit}), which the
 * launcher then maps at start-up instead of loading and verifying those classes again.
 * Arguments: an ELF file to inspect (any will do; the build passes the java binary).
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) {
    String elf = args.length > 0 ? args[0] : "/proc/self/exe";
    String[][] runs = {{"--help"}, {"livepatchable", elf}, {"extract", elf}, {"dump", elf}, {"packer", "/nonexistent.dsc"}};
    for (String[] run : runs) {
      CommandLine cli = Ulp.commandLine();
      PrintWriter sink = new PrintWriter(Writer.nullWriter());
      cli.setOut(sink).setErr(sink).execute(run);
    }
  }
}
