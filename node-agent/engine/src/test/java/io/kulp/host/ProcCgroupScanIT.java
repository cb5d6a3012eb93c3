package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The /proc scan on the real kernel, where it differs from the snapshots: in a cgroup v1 hierarchy
 * the kernel shows "/" for a thread that has begun to exit.
 */
class ProcCgroupScanIT {
  private static final Path PIDS_V1 = Path.of("/sys/fs/cgroup/pids");

  @Test
  void aProcessInACgroupV1ContainerWhoseMainThreadHasExitedIsStillFound() throws Exception {
    assumeThat(Files.readString(Path.of("/proc/self/cgroup"))).as("the pids controller mounted as cgroup v1")
        .containsPattern("(?m)^[1-9][0-9]*:pids:");
    byte[] random = new byte[32];
    ThreadLocalRandom.current().nextBytes(random);
    String id = HexFormat.of().formatHex(random);
    // Only the v1 hierarchy places it: its unified (v2) path stays the test's own.
    Path cgroup = Files.createDirectory(PIDS_V1.resolve(id));
    try (TargetProgram program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
      program.await(l -> l.startsWith("ready"));
      Files.writeString(cgroup.resolve("cgroup.procs"), Integer.toString(program.pid()));
      ProcCgroupScan scan = new ProcCgroupScan(new ProcFs(HostPaths.system()));
      assertThat(scan.pidsOf(ContainerId.parse("docker://" + id))).containsExactly(program.pid());

      program.ask("leave", "leave");
      Path own = HostPaths.system().proc(program.pid());
      await("the main thread exited").until(() -> ProcessEntry.exiting(own, program.pid()));

      assertThat(Files.readString(own.resolve("cgroup"))).contains(":pids:/\n");
      assertThat(scan.pidsOf(ContainerId.parse("docker://" + id))).containsExactly(program.pid());
    } finally {
      await("the cgroup emptied").ignoreExceptions().until(() -> {
        Files.delete(cgroup);
        return true;
      });
    }
  }
}
