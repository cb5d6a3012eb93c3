package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.InProgressRecorder;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.TestLivePatches;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A new operator process picks a rollout up where the old one stopped. */
class OperatorRestartIT {

  static KubeApiTestCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void startCluster() {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  @Test
  void aRestartMidRolloutResumesWithoutDuplicatedOrLostWork() throws Exception {
    var nodes = new FakeNodes(client, "restart");
    nodes.addNodesEachRunningWeb("a", "b", "c", "d");
    Map<String, AtomicInteger> creations = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> specWrites = new ConcurrentHashMap<>();
    Watch watch = countWrites(creations, specWrites);
    var inProgress = new InProgressRecorder(client, "restart");
    var agents = new FakeAgents(cluster.newClient());
    client.resource(TestLivePatches.withConcurrency(
        TestLivePatches.apply("restart", "restart", "web"), 1)).create();

    KulpOperatorApp first = OperatorUnderTest.start(cluster.newClient());
    await().untilAsserted(() -> assertThat(nodesOf(client, "restart")).hasSize(1));
    agents.report("restart", nodes.node("a"), NodePhase.Succeeded);
    await().untilAsserted(() -> assertThat(nodesOf(client, "restart")).hasSize(2));
    first.close();
    // While no operator runs, the agent of b finishes.
    agents.report("restart", nodes.node("b"), NodePhase.Succeeded);
    Map<String, LivePatchNode> before = nodesOf(client, "restart");

    KulpOperatorApp second = OperatorUnderTest.start(cluster.newClient());
    try {
      agents.autoSucceed("restart");
      awaitCondition(client, "restart", KulpConstants.CONDITION_COMPLETE, "True", null);
    } finally {
      second.close();
      agents.close();
      inProgress.close();
      watch.close();
    }

    Map<String, LivePatchNode> after = nodesOf(client, "restart");
    assertThat(after).hasSize(4);
    for (String node : before.keySet()) {
      assertThat(after.get(node).getMetadata().getUid())
          .isEqualTo(before.get(node).getMetadata().getUid());
      assertThat(after.get(node).getMetadata().getGeneration())
          .as("the spec of %s was not rewritten", node).isEqualTo(1L);
    }
    assertThat(creations).hasSize(4).allSatisfy((name, n) -> assertThat(n.get()).isOne());
    assertThat(specWrites).allSatisfy((name, n) -> assertThat(n.get()).as(name).isOne());
    assertThat(inProgress.max()).isEqualTo(1);
  }

  /** Counts, per LivePatchNode, creations and distinct spec generations seen. */
  private static Watch countWrites(Map<String, AtomicInteger> creations,
      Map<String, AtomicInteger> generations) {
    Map<String, Long> lastGeneration = new ConcurrentHashMap<>();
    return client.resources(LivePatchNode.class).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, LivePatchNode lpn) {
        String name = lpn.getMetadata().getName();
        if (action == Action.ADDED) {
          creations.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        }
        Long gen = lpn.getMetadata().getGeneration();
        if (!gen.equals(lastGeneration.put(name, gen))) {
          generations.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }
}
