package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kulp.api.AgentLeases;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Engine;
import io.kulp.engine.PtraceEngine;
import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * An agent killed (SIGKILL) in the middle of a rollout and started again: it holds no state, reads
 * what each process's runtime has applied, finishes the rollout, and applies nothing twice.
 */
class AgentRestartE2E {
  static final String NODE = "e2e-restart";
  static final int CONTAINERS = 4;

  @Test
  void anAgentKilledMidRolloutFinishesItAfterARestartAndAppliesNothingTwice() throws Exception {
    try (E2EEnvironment env = E2EEnvironment.start(NODE);
        KfixWorkload workload = new KfixWorkload(env.client());
        Engine engine = new PtraceEngine(PtraceEngine.Options.defaults())) {
      ScratchImage image = workload.image("kfix-restart", Fixtures.library());
      List<FixtureContainer> containers = new ArrayList<>();
      for (int i = 0; i < CONTAINERS; i++) {
        FixtureContainer c = workload.start(image);
        workload.pod("restart-" + i, NODE, "restart", c);
        containers.add(c);
      }
      String patchId = PatchContainer.read(Fixtures.patch("value_v2")).apply().id().hex();
      E2ELivePatches livePatches = new E2ELivePatches(env.client());
      String sha = livePatches.configMap("restart-v2", Fixtures.patch("value_v2"));
      // A slow agent (the engine pauses at each step, one process at a time) to kill mid-way.
      env.agent(NODE).close();
      AgentProcess slow = env.startAgent(NODE, Map.of("KULP_DEBUG_STEP_DELAY_MS", "150",
          KulpConstants.ENV_PARALLELISM, "1"));

      livePatches.create(E2ELivePatches.livePatch("restart", "restart", Action.Apply, Mode.OneShot, "restart-v2", sha));
      await("some, not all, processes patched").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> patched(engine, containers, patchId, Instant.MAX) >= 1);
      // The kill lands inside a random step of the next process's injection: the slow engine
      // announces each step in the agent's log, then pauses 150 ms in it.
      long stepsBefore = stepsAnnounced(slow);
      int killStep = ThreadLocalRandom.current().nextInt(1, 7);
      await("step " + killStep + " of the next injection").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(10)).until(() -> stepsAnnounced(slow) >= stepsBefore + killStep);
      slow.kill();
      LivePatchNode midway = livePatches.nodes("restart").get(0);
      assertThat(midway.getStatus() == null || midway.getStatus().phase == NodePhase.InProgress)
          .as("the killed agent had not finished: " + midway.getStatus()).isTrue();

      // A request the killed engine had posted is still served by the process's own helper
      // thread, within milliseconds of the kill; the restarted agent needs a JVM start first.
      Instant restartedAt = Instant.now();
      AgentProcess restarted = env.startAgent(NODE, Map.of());
      livePatches.awaitCondition("restart", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
      // The node's Lease outlived the kill (the node was not taken for agentless) and the
      // restarted agent renewed it before it called itself ready.
      Lease lease = env.client().resources(Lease.class).inNamespace(E2EEnvironment.SYSTEM_NAMESPACE)
          .withName(AgentLeases.name(NODE)).get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(ServiceAccountKubeconfig.agentPod(NODE));
      assertThat(lease.getSpec().getRenewTime().toInstant())
          .isAfterOrEqualTo(restartedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
      assertThat(AgentLeases.isLive(lease, NODE, Instant.now())).isTrue();

      LivePatchNode done = livePatches.nodes("restart").get(0);
      int patchedAtKill = patched(engine, containers, patchId, restartedAt);
      String story = "killed in step " + killStep + " of the next injection, with " + patchedAtKill
          + " patched; final status " + Serialization.asJson(done.getStatus())
          + "\n--- the node's agent log, before and after the kill ---\n" + slow.log();
      assertThat(patchedAtKill).as("processes patched by the killed agent; %s", story)
          .isBetween(1, CONTAINERS - 1);
      for (FixtureContainer c : containers) {
        assertThat(KfixWorkload.value(c)).as("value in process %d; %s", c.hostPid(), story).isEqualTo(2);
        List<AppliedPatch> applied = engine.read(c.hostPid()).patches();
        assertThat(applied).as("patches of process %d; %s", c.hostPid(), story).extracting(AppliedPatch::id)
            .containsExactly(patchId);
      }
      assertThat(done.getStatus().summary.applied).as(story).isEqualTo(CONTAINERS);
      assertThat(done.getStatus().summary.skipped).as(story).isZero();
      assertThat(restarted.metric("kulp_agent_operations_total{action=\"apply\",result=\"applied\"}"))
          .as("applies made by the restarted agent").isEqualTo(CONTAINERS - patchedAtKill);
      assertThat(restarted.metric("kulp_agent_operations_total{action=\"apply\",result=\"skipped\"}"))
          .as("applies the runtime refused as already applied").isZero();
    }
  }

  /** Processes whose patch was applied before {@code instant}, by the runtime's own record. */
  private static int patched(Engine engine, List<FixtureContainer> containers, String patchId, Instant instant)
      throws Exception {
    int n = 0;
    for (FixtureContainer c : containers) {
      if (engine.read(c.hostPid()).patches().stream()
          .anyMatch(p -> p.id().equals(patchId) && p.appliedAt().isBefore(instant))) {
        n++;
      }
    }
    return n;
  }

  /** Steps the agent's engine announced (KULP_DEBUG_STEP_DELAY_MS prints one line per step). */
  private static long stepsAnnounced(AgentProcess agent) {
    return agent.log().lines().filter(l -> l.startsWith("kulp-debug: step ")).count();
  }
}
