package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.conditionStatus;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.LaggingCaches;
import io.kulp.operator.testing.LivePatchHistory;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's pod, node and namespace caches lag behind the API server. A LivePatch must never
 * be declared Complete with no target (or too few nodes) because a cache has not caught up, and
 * nothing may be concluded from caches that have not synced. {@link LaggingCaches} makes the lag
 * as long as a test needs; the races without it are real ones.
 */
class LivePatchCacheLagIT {

  static final int ROUNDS = 5;

  static KubeApiTestCluster cluster;
  static KubernetesClient client;
  static LaggingCaches lag = new LaggingCaches();
  static KulpOperatorApp operator;
  static FakeAgents agents;
  static LivePatchHistory history;

  @BeforeAll
  static void startClusterAndOperator() {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
    operator = OperatorUnderTest.start(cluster.newClient(), lag);
    agents = new FakeAgents(cluster.newClient());
    history = new LivePatchHistory(cluster.newClient());
  }

  @AfterAll
  static void stop() throws Exception {
    history.close();
    agents.close();
    operator.close();
    cluster.close();
  }

  @AfterEach
  void noMoreLag() {
    lag.catchUp();
  }

  @Test
  void aLivePatchWhosePodsThePodCacheHasNotDeliveredIsNotCompleteUntilItHasThem() {
    var nodes = new FakeNodes(client, "hidden");
    nodes.addNodes("a", "b");
    lag.hidePodsIn(nodes.namespace());
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoSucceed("hidden");

    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("hidden", "hidden", "web"), 2))
        .create();

    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(history.of("hidden")).filteredOn(LivePatchCacheLagIT::complete)
            .extracting(LivePatchCacheLagIT::summary).isEmpty());
    lag.catchUp();
    awaitCondition(client, "hidden", KulpConstants.CONDITION_COMPLETE, "True", null);
    assertThat(get(client, "hidden").getStatus().nodesDone).isEqualTo("2/2");
    assertThat(nodesOf(client, "hidden")).containsOnlyKeys(nodes.node("a"), nodes.node("b"));
    assertThat(history.of("hidden")).filteredOn(LivePatchCacheLagIT::completeWithoutTargets)
        .extracting(LivePatchCacheLagIT::summary).isEmpty();
  }

  /**
   * A OneShot node keeps the targets it is started with, so they must be all the pods and
   * container IDs the API server has on it then, not only what a lagging pod cache has delivered
   * (an agent skips a container without an ID as not started yet).
   */
  @Test
  void aOneShotNodeIsStartedWithEveryPodAndContainerOnItEvenWhileThePodCacheLags() {
    var nodes = new FakeNodes(client, "onepod");
    nodes.addNodes("a");
    nodes.runPod("web-a1", "a", "web", "app");
    nodes.runPod("web-a2", "a", "web", "app");
    lag.hideStatusOf(nodes.namespace(), "web-a1");
    lag.hidePod(nodes.namespace(), "web-a2");
    agents.autoSucceed("onepod");

    client.resource(TestLivePatches.apply("onepod", "onepod", "web")).create();

    awaitCondition(client, "onepod", KulpConstants.CONDITION_COMPLETE, "True", null);
    LivePatchNode lpn = nodesOf(client, "onepod").get(nodes.node("a"));
    assertThat(lpn.getSpec().targets).extracting(t -> t.name).containsExactly("web-a1", "web-a2");
    assertThat(lpn.getSpec().targets).flatExtracting(t -> t.containers).extracting(c -> c.containerID)
        .containsExactly(FakeNodes.containerId("web-a1", "app"), FakeNodes.containerId("web-a2", "app"));
  }

  @Test
  void cachesThatHaveNotSyncedDeleteNoLivePatchNodeAndChangeNoStatus() {
    var nodes = new FakeNodes(client, "unsynced");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoSucceed("unsynced");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("unsynced", "unsynced", "web"), 2))
        .create();
    awaitCondition(client, "unsynced", KulpConstants.CONDITION_COMPLETE, "True", null);
    Long observed = get(client, "unsynced").getStatus().observedGeneration;

    lag.unsynced(true); // empty caches: every node would look gone, every pod too
    client.resources(LivePatch.class).withName("unsynced").edit(l -> {
      l.getSpec().rollout.paused = true; // a new generation to reconcile
      return l;
    });

    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(nodesOf(client, "unsynced")).hasSize(2);
      assertThat(get(client, "unsynced").getStatus().observedGeneration).isEqualTo(observed);
    });
    lag.catchUp();
    await().untilAsserted(() -> {
      LivePatch lp = get(client, "unsynced");
      assertThat(lp.getStatus().observedGeneration).isEqualTo(lp.getMetadata().getGeneration());
      assertThat(lp.getStatus().nodesDone).isEqualTo("2/2");
    });
    assertThat(nodesOf(client, "unsynced")).hasSize(2);
  }

  @Test
  void aLivePatchCreatedRightAfterItsPodsIsNeverCompleteWithoutTargets() {
    for (int round = 0; round < ROUNDS; round++) {
      // New nodes, namespace and pods each round: every cache has to catch up.
      String scope = "after" + round;
      var nodes = new FakeNodes(client, scope);
      nodes.addNodes("a", "b");
      nodes.runPod("web-a", "a", "web", "app");
      nodes.runPod("web-b", "b", "web", "app");
      agents.autoSucceed(scope);
      client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply(scope, scope, "web"), 2))
          .create();

      awaitCondition(client, scope, KulpConstants.CONDITION_COMPLETE, "True", null);
      assertThat(get(client, scope).getStatus().nodesDone).isEqualTo("2/2");
      assertThat(history.of(scope)).as("statuses of %s complete with no target", scope)
          .filteredOn(LivePatchCacheLagIT::completeWithoutTargets)
          .extracting(LivePatchCacheLagIT::summary).isEmpty();
    }
  }

  @Test
  void aLivePatchCreatedRightBeforeItsPodsIsCompleteWithoutTargetsOnlyFromAReadThatPrecededThem() {
    for (int round = 0; round < ROUNDS; round++) {
      String scope = "before" + round;
      var nodes = new FakeNodes(client, scope);
      nodes.addNodes("a", "b");
      agents.autoSucceed(scope);
      var lp = TestLivePatches.withConcurrency(TestLivePatches.apply(scope, scope, "web"), 2);
      lp.getSpec().mode = Mode.Continuous;
      client.resource(lp).create();
      nodes.runPod("web-a", "a", "web", "app");
      nodes.runPod("web-b", "b", "web", "app");

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(conditionStatus(client, scope, KulpConstants.CONDITION_COMPLETE)).isEqualTo("True");
        assertThat(get(client, scope).getStatus().nodesDone).isEqualTo("2/2");
      });
      // resourceVersions of this etcd-backed server are etcd revisions: they grow with every write
      long firstPod = List.of("web-a", "web-b").stream()
          .mapToLong(p -> Long.parseLong(nodes.createdAt(p))).min().orElseThrow();
      assertThat(history.of(scope)).as("every status of %s", scope)
          .filteredOn(LivePatchCacheLagIT::completeWithoutTargets)
          .allSatisfy(v -> assertThat(Long.parseLong(Objects.requireNonNull(
              v.getStatus().rollout.targetsConfirmedResourceVersion, "confirmed by a read")))
              .as("complete with no target, confirmed before the pods existed")
              .isLessThan(firstPod));
    }
  }

  @Test
  void aLivePatchThatMatchesNoPodIsCompleteWithNoTargetedNode() {
    var nodes = new FakeNodes(client, "none");
    nodes.addNodes("a");
    nodes.runPod("db-a", "a", "db", "app");

    client.resource(TestLivePatches.apply("none", "none", "web")).create();

    awaitCondition(client, "none", KulpConstants.CONDITION_COMPLETE, "True", null);
    LivePatch lp = get(client, "none");
    assertThat(lp.getStatus().nodesDone).isEqualTo("0/0");
    assertThat(lp.getStatus().nodes.targeted).isZero();
    assertThat(lp.getStatus().rollout.targetsConfirmedResourceVersion).isNotBlank();
    assertThat(conditionStatus(client, "none", KulpConstants.CONDITION_READY)).isEqualTo("True");
    assertThat(nodesOf(client, "none")).isEmpty();
  }

  private static boolean complete(LivePatch lp) {
    return lp.getStatus() != null && lp.getStatus().conditions.stream().anyMatch(c ->
        KulpConstants.CONDITION_COMPLETE.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean completeWithoutTargets(LivePatch lp) {
    return complete(lp) && lp.getStatus().nodes != null && lp.getStatus().nodes.targeted == 0;
  }

  /** One version of a LivePatch in a line, for failure messages. */
  private static String summary(LivePatch lp) {
    var st = lp.getStatus();
    return "resourceVersion " + lp.getMetadata().getResourceVersion() + ": " + st.message
        + ", targets confirmed at " + (st.rollout == null ? null : st.rollout.targetsConfirmedResourceVersion);
  }
}
