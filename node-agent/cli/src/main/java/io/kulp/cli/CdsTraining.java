package io.kulp.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Build-time only: runs typical {@code ulp} commands in one JVM so that the build can record
 * the classes they load in an AppCDS archive ({@code -XX:ArchiveClassesAtExit}), which the
 * launcher then maps at start-up instead of loading and verifying those classes again.
 * Arguments: an ELF file to inspect (any will do; the build passes the java binary), and
 * optionally runtime-c's build directory: then a fixture patch is packed, applied to a live
 * process and reverted, so that the engine and JNA are archived too.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) {
    String elf = args.length > 0 ? args[0] : "/proc/self/exe";
    String[][] runs = {{"--help"}, {"livepatchable", elf}, {"extract", elf}, {"dump", elf}, {"packer", "/nonexistent.dsc"}};
    for (String[] run : runs) {
      execute(run);
    }
    if (args.length > 1) {
      try {
        trainEngine(Path.of(args[1]));
      } catch (IOException | InterruptedException e) {
        // Training is best effort: an archive without the engine's classes still helps.
      }
    }
  }

  private static void execute(String... run) {
    CommandLine cli = Ulp.commandLine();
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    Ulp.execute(cli.setOut(sink).setErr(sink), run);
  }

  private static void trainEngine(Path runtime) throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("ulp-cds");
    Path patch = work.resolve("value_v2.so");
    execute("packer", "-q", runtime.resolve("patches/value_v2.dsc").toString(), "-o", patch.toString());
    ProcessBuilder pb = new ProcessBuilder(runtime.resolve("fixtures/kfix-driver").toString());
    pb.environment().put("LD_PRELOAD", runtime.resolve("libpulp.so").toString());
    Process target = pb.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      if (ready == null || !ready.startsWith("ready")) {
        return;
      }
      String pid = Long.toString(target.pid());
      execute("trigger", "-p", pid, patch.toString());
      execute("patches", "-p", pid);
      execute("check", "-p", pid, patch.toString());
      execute("messages", "-p", pid);
      execute("trigger", "--revert", "-p", pid, patch.toString());
    } finally {
      target.destroyForcibly().waitFor();
      Files.deleteIfExists(patch);
      Files.deleteIfExists(work);
    }
  }
}
