package io.kulp.elf;

import java.nio.file.Path;

/**
 * Reads each file named on the command line as the engine and {@code ulp} do, printing one line
 * per file: "NAME ok" or "NAME ElfException: MESSAGE", and the milliseconds it took.
 * HostileElfIT runs it in a JVM with the node agent's heap and out-of-memory policy.
 */
public final class HostileElfProbe {
  private HostileElfProbe() {}

  public static void main(String[] args) throws Exception {
    for (String arg : args) {
      Path file = Path.of(arg);
      long start = System.nanoTime();
      String outcome = "ok";
      try (ElfFile elf = ElfFile.open(file)) {
        elf.dynamicSymbol("kulp_abi");
        elf.soname();
        elf.buildId();
        PaddingSurvey.of(elf);
        elf.sectionBytes(".ulp", 65536);
        elf.notes();
        elf.symbols();
        elf.dynamicSymbols();
      } catch (ElfException e) {
        outcome = "ElfException: " + e.getMessage();
      }
      System.out.println(file.getFileName() + " " + (System.nanoTime() - start) / 1_000_000 + " ms " + outcome);
    }
  }
}
