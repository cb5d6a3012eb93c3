package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node agent's resident memory while idle on a node with 100 targeted processes (25 in each of
 * 4 containers), after patching them all, in Continuous mode (so it keeps rescanning). The target
 * is at most 128 MiB; the figures are printed for docs/benchmarks.md.
 */
class AgentMemoryE2E {
  static final String NODE = "e2e-memory";
  static final int CONTAINERS = 4;
  static final int PER_CONTAINER = 25;
  static final long LIMIT_KIB = 128 * 1024;

  @Test
  void theAgentStaysUnder128MiBResidentIdleWith100TargetedProcesses() throws Exception {
    Path spawn = compileSpawn();
    try (E2EEnvironment env = E2EEnvironment.start(NODE);
        KfixWorkload workload = new KfixWorkload(env.client())) {
      ScratchImage image = workload.image("kfix-many", Fixtures.library(), spawn);
      List<FixtureContainer> containers = new ArrayList<>();
      for (int i = 0; i < CONTAINERS; i++) {
        FixtureContainer c = workload.startCommand(image, "spawned " + PER_CONTAINER, spawn.toString(),
            Integer.toString(PER_CONTAINER), KfixWorkload.DRIVER);
        containers.add(c);
        workload.pod("memory-" + i, NODE, "memory", c);
      }
      E2ELivePatches livePatches = new E2ELivePatches(env.client());
      String sha = livePatches.configMap("memory-v2", Fixtures.patch("value_v2"));
      AgentProcess agent = env.agent(NODE);
      long before = agent.rssKib();

      long start = System.nanoTime();
      livePatches.create(E2ELivePatches.livePatch("memory", "memory", Action.Apply, Mode.Continuous, "memory-v2", sha));
      livePatches.awaitCondition("memory", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
      long rolloutMillis = (System.nanoTime() - start) / 1_000_000;
      LivePatchNode lpn = livePatches.nodes("memory").get(0);
      assertThat(lpn.getStatus().summary.applied).isEqualTo(CONTAINERS * PER_CONTAINER);

      // Idle: a few rescans (every 2 s here) over the 100 processes, sampled twice a second.
      long[] peak = {0};
      long[] samples = {0};
      long idleStart = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
        peak[0] = Math.max(peak[0], agent.rssKib());
        samples[0]++;
        return System.nanoTime() - idleStart > Duration.ofSeconds(12).toNanos();
      });
      long injections = agent.metric("kulp_agent_injection_seconds_count");
      System.out.printf("agent memory: RSS %d KiB before, peak %d KiB idle after patching %d processes "
          + "(%d samples); rollout to Complete %d ms; %d injections%n", before, peak[0],
          CONTAINERS * PER_CONTAINER, samples[0], rolloutMillis, injections);
      assertThat(peak[0]).as("idle RSS of the agent in KiB").isLessThanOrEqualTo(LIMIT_KIB);
    }
  }

  /** Builds the spawner (src/test/resources/e2e/spawn.c) with the host's gcc. */
  private static Path compileSpawn() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "e2e-bin"));
    Path source = dir.resolve("spawn.c");
    try (InputStream in = AgentMemoryE2E.class.getResourceAsStream("/e2e/spawn.c")) {
      Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Path binary = dir.resolve("spawn");
    Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString()).inheritIO().start();
    assertThat(gcc.waitFor()).as("gcc spawn.c").isZero();
    return binary.toAbsolutePath();
  }
}
