package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One ulp command over many processes, patched in parallel. The programs run under a name of
 * their own (a copy of kfix-driver), so that the wildcard matches them and nothing else.
 */
class ManyProcessesIT {
  @TempDir static Path dir;
  private static Path driver;
  private static String name;

  @BeforeAll
  static void copyTheDriverUnderAUniqueName() throws Exception {
    name = "kw" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    driver = dir.resolve(name);
    Files.copy(Fixtures.fixture("kfix-driver"), driver);
    Files.copy(Fixtures.library(), dir.resolve("libkfix.so.1"));
  }
  @Test
  void aWildcardPatchesFiftyProcessesAndSkipsOneWithoutTheRuntime() throws Exception {
    List<TargetProgram> programs = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        programs.add(TargetProgram.startPreloaded(driver));
      }
      TargetProgram plain = TargetProgram.start(Map.of(), driver);
      programs.add(plain);
      for (TargetProgram p : programs) {
        p.await(l -> l.startsWith("ready"));
      }
      CommandResult r = UlpCli.run("trigger", "-p", name + "*", UlpCli.patch("value_v2"));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.stdout()).contains("summary: 50 applied, 0 reverted, 1 skipped, 0 failed");
      for (TargetProgram p : programs) {
        assertThat(p.ask("value", "value")).as("pid %d", p.pid()).isEqualTo(p == plain ? "1" : "2");
      }
      CommandResult back = UlpCli.run("trigger", "-p", name + "*", "--revert-all=libkfix.so.1");
      assertThat(back.stdout()).contains("summary: 0 applied, 50 reverted, 1 skipped, 0 failed");
      for (TargetProgram p : programs) {
        assertThat(p.ask("value", "value")).isEqualTo("1");
      }
    } finally {
      programs.forEach(TargetProgram::close);
    }
  }

  @Test
  void aQuotedWildcardOverPatchFilesAppliesEachInOrder() throws Exception {
    try (TargetProgram p = TargetProgram.startPreloaded(driver)) {
      p.await(l -> l.startsWith("ready"));
      CommandResult r = UlpCli.run("trigger", "-p", p.pid(), Fixtures.patchesDir().resolve("value_v*.so"));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.stdout()).contains("summary: 3 applied");
      assertThat(p.ask("value", "value")).isEqualTo("4");
    }
  }

  @Test
  void failuresInSomeProcessesMakeTheCommandExitNonZeroWithoutStoppingTheOthers() throws Exception {
    try (TargetProgram good = TargetProgram.startPreloaded(driver);
        TargetProgram hardened = TargetProgram.start(
            Map.of("LD_PRELOAD", Fixtures.libpulp().toString(), "KFIX_SECCOMP", "kill-open"),
            driver)) {
      good.await(l -> l.startsWith("ready"));
      hardened.await(l -> l.startsWith("ready"));
      CommandResult r = UlpCli.run("trigger", "-p", name + "*", UlpCli.patch("value_v2"));
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.stdout()).contains("summary: 1 applied, 0 reverted, 0 skipped, 1 failed");
      assertThat(r.stderr()).contains(hardened.pid() + " (" + name + "): failed");
      assertThat(good.ask("value", "value")).isEqualTo("2");
      assertThat(hardened.ask("value", "value")).isEqualTo("1");
    }
  }
}
