package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.HostileElfFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile files of issue #10 read in a JVM set up as the node agent is (a 64 MiB heap, exit
 * on OutOfMemoryError): every file gets its one-line answer, and the JVM lives to the end.
 */
class HostileElfIT {
  @TempDir Path tmp;

  @Test
  void aSixtyFourMebibyteJvmReadsEveryHostileFileAndSurvives() {
    Map<String, Path> files = HostileElfFiles.all(tmp);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        HostileElfProbe.class.getName()));
    files.values().forEach(f -> command.add(f.toString()));

    long start = System.nanoTime();
    CommandResult r = Commands.run(command, Map.of());
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stderr()).as(r.toString()).doesNotContain("OutOfMemoryError");
    List<String> lines = r.stdout().lines().toList();
    assertThat(lines).as(r.toString()).hasSize(files.size());
    for (String line : lines) {
      assertThat(line).matches("\\S+ \\d+ ms (ok|ElfException: .*not a valid ELF file: .*)");
    }
    assertThat(lines).filteredOn(l -> l.startsWith("huge-runtime-dynsym.so ")).singleElement().asString()
        .contains("(symbols) declares");
    assertThat(seconds).as("seconds for all %d files", files.size()).isLessThan(60);
  }
}
