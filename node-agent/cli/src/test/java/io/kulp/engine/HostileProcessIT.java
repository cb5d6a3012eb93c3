package io.kulp.engine;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Binutils;
import io.kulp.testing.CommandResult;
import io.kulp.testing.Fixtures;
import io.kulp.testing.HostileElfFiles;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 with real processes and the real {@code ulp}, run as the node agent runs the engine
 * (a 64 MiB heap that exits on OutOfMemoryError): a process that maps a hostile file as
 * {@code libpulp.so}, and a runtime whose message ring head was overwritten.
 */
class HostileProcessIT {
  private static final Map<String, String> AGENT_HEAP = Map.of("ULP_JAVA_OPTS", "-Xmx64m -XX:+ExitOnOutOfMemoryError");

  @TempDir Path tmp;
  private final List<TargetProgram> programs = new ArrayList<>();

  @AfterEach
  void stop() {
    programs.forEach(TargetProgram::close);
  }

  @Test
  void aProcessMappingAHugeSparseLibpulpFailsWithItsReasonAndTheOtherIsPatched() throws Exception {
    // Both run a private copy of kfix-driver under a name of their own, so `-p NAME` selects just them.
    String name = "kfixhostile" + ThreadLocalRandom.current().nextInt(1000, 10000);
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.copy(Fixtures.fixture("kfix-driver"), bin.resolve(name));
    Files.copy(Fixtures.library(), bin.resolve("libkfix.so.1"));
    Path runtime = HostileElfFiles.hugeDynamicSymbolTable(Files.createDirectories(tmp.resolve("hostile"))
        .resolve("libpulp.so"));
    TargetProgram hostile = start(Map.of(), bin.resolve(name));
    assertThat(hostile.ask("map " + runtime, "map")).isEqualTo("0");
    TargetProgram patchable = start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()), bin.resolve(name));

    CommandResult r = UlpCli.runWithEnv(AGENT_HEAP, "trigger", "-p", name, patch("value_v2"));

    // The file is named as opened: through /proc/PID/map_files when ulp may, else the process's root view.
    String reason = "cannot read " + runtime + " of process " + hostile.pid() + ": ";
    String limit = ": not a valid ELF file: .dynsym (symbols) declares 44651861, more than the 1048576 kulp reads\n";
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).as(r.toString()).startsWith(hostile.pid() + " (" + name + "): failed: value_v2.so (")
        .contains(reason).endsWith(limit);
    assertThat(r.stderr().lines()).hasSize(1);
    assertThat(r.stdout()).as(r.toString()).contains("summary: 1 applied, 0 reverted, 0 skipped, 1 failed");
    assertThat(patchable.ask("value", "value")).isEqualTo("2");

    CommandResult patches = UlpCli.runWithEnv(AGENT_HEAP, "patches", "-p", hostile.pid());
    assertThat(patches.exitCode()).as(patches.toString()).isEqualTo(1);
    assertThat(patches.stderr()).as(patches.toString()).startsWith("ulp patches: " + reason).endsWith(limit);
    assertThat(patches.stderr().lines()).hasSize(1);
    assertThat(hostile.alive()).isTrue();
  }

  @Test
  void theMessagesOfARuntimeWhoseRingHeadIsMaximalAreRead() throws Exception {
    TargetProgram program = start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()), Fixtures.fixture("kfix-driver"));
    long abi = runtimeBase(program.pid()) + Binutils.nmValue(Fixtures.libpulp(), Abi.SYMBOL);
    try (RandomAccessFile mem = new RandomAccessFile("/proc/" + program.pid() + "/mem", "rw")) {
      mem.seek(abi + Abi.MESSAGE_HEAD_OFF);
      mem.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
    }

    CommandResult r = UlpCli.runWithEnv(AGENT_HEAP, "messages", "-p", program.pid());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stderr()).as(r.toString()).isEmpty();
    assertThat(program.alive()).isTrue();
  }

  private TargetProgram start(Map<String, String> env, Path program) throws Exception {
    TargetProgram p = TargetProgram.start(env, program);
    programs.add(p);
    p.await(l -> l.startsWith("ready"));
    return p;
  }

  /** Where libpulp.so's first page is mapped in process {@code pid} (its first PT_LOAD is at address 0). */
  private static long runtimeBase(int pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 6 && f[5].endsWith("/libpulp.so") && Long.parseLong(f[2], 16) == 0) {
        return Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
      }
    }
    throw new IllegalStateException("libpulp.so is not mapped in process " + pid);
  }
}
