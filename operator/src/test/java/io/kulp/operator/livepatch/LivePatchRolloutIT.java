package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.FakeAgents.nodesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;

import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.CanarySpec;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;

import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.InProgressRecorder;
import io.kulp.operator.testing.Kubectl;

import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The operator against a real kube-apiserver, the tests playing the node agents. */
class LivePatchRolloutIT extends OperatorAgainstApiServer {

  @Test
  void appliesOnTheNodesRunningMatchingPodsAndBecomesCompleteWhenTheyReport() {
    var nodes = new FakeNodes(client, "life");
    nodes.addNodes("a", "b", "c");
    nodes.runPod("web-1", "a", "web", "app", "sidecar");
    nodes.runPod("web-2", "b", "web", "app");
    nodes.runPod("db-1", "c", "db", "app");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("life", "life", "web"), 5);
    lp.getSpec().target.containers = java.util.List.of("app");
    client.resource(lp).create();

    await().untilAsserted(() -> assertThat(nodesOf(client, "life")).containsOnlyKeys(
        nodes.node("a"), nodes.node("b")));
    LivePatchNode onA = nodesOf(client, "life").get(nodes.node("a"));
    assertThat(onA.getMetadata().getName()).isEqualTo("life." + nodes.node("a"));
    assertThat(onA.getMetadata().getLabels()).containsEntry(KulpConstants.LABEL_LIVEPATCH, "life")
        .containsEntry(KulpConstants.LABEL_NODE, nodes.node("a"));
    assertThat(onA.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("LivePatch"));
    assertThat(onA.getSpec().action).isEqualTo(Action.Apply);
    assertThat(onA.getSpec().patch.sha256).isEqualTo(TestLivePatches.SHA_A);
    assertThat(onA.getSpec().targets).singleElement().satisfies(pod -> {
      assertThat(pod.name).isEqualTo("web-1");
      assertThat(pod.uid).isNotBlank();
      assertThat(pod.containers).singleElement().satisfies(c -> {
        assertThat(c.name).isEqualTo("app");
        assertThat(c.containerID).isEqualTo(FakeNodes.containerId("web-1", "app"));
      });
    });
    await().untilAsserted(() -> assertThat(get("life").getStatus().nodesDone).isEqualTo("0/2"));
    assertThat(condition("life", KulpConstants.CONDITION_PROGRESSING)).isEqualTo("True");
    assertThat(condition("life", KulpConstants.CONDITION_COMPLETE)).isEqualTo("False");

    agents.report("life", nodes.node("a"), NodePhase.Succeeded);
    agents.report("life", nodes.node("b"), NodePhase.Succeeded);

    await().untilAsserted(() -> {
      LivePatch done = get("life");
      assertThat(condition("life", KulpConstants.CONDITION_COMPLETE)).isEqualTo("True");
      assertThat(condition("life", KulpConstants.CONDITION_READY)).isEqualTo("True");
      assertThat(condition("life", KulpConstants.CONDITION_DEGRADED)).isEqualTo("False");
      assertThat(condition("life", KulpConstants.CONDITION_PROGRESSING)).isEqualTo("False");
      assertThat(done.getStatus().observedGeneration).isEqualTo(done.getMetadata().getGeneration());
      assertThat(done.getStatus().nodes.done).isEqualTo(2);
      assertThat(done.getStatus().processes.patched).isEqualTo(2);
      assertThat(done.getStatus().nodesDone).isEqualTo("2/2");
    });
    await().untilAsserted(() -> assertThat(client.v1().events().inNamespace("default").list()
        .getItems()).extracting(Event::getReason)
        .contains(KulpConstants.EVENT_NODE_STARTED, KulpConstants.REASON_ALL_NODES_DONE));
  }

  @Test
  void neverHasMoreNodesInProgressThanMaxConcurrentNodes() {
    var nodes = new FakeNodes(client, "conc");
    var all = java.util.List.of("a", "b", "c", "d", "e", "f");
    nodes.addNodes(all.toArray(String[]::new));
    all.forEach(n -> nodes.runPod("web-" + n, n, "web", "app"));
    var inProgress = new InProgressRecorder(client, "conc");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("conc", "conc", "web"), 2))
        .create();

    for (int started = 2; started <= 6; started += 2) {
      int expected = started;
      await().untilAsserted(() -> assertThat(nodesOf(client, "conc")).hasSize(expected));
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(nodesOf(client, "conc")).hasSize(expected));
      nodesOf(client, "conc").values().stream().filter(l -> l.getStatus() == null)
          .forEach(l -> agents.report(l, NodePhase.Succeeded));
    }

    awaitCondition("conc", KulpConstants.CONDITION_COMPLETE, "True");
    inProgress.close();
    assertThat(inProgress.max()).isEqualTo(2);
    assertThat(get("conc").getStatus().nodesDone).isEqualTo("6/6");
  }

  @Test
  void aCanaryRunsFirstThenPausesUntilResumed() {
    var nodes = new FakeNodes(client, "canary");
    nodes.addNodes("a", "b", "c", "d");
    for (String n : java.util.List.of("a", "b", "c", "d")) {
      nodes.runPod("web-" + n, n, "web", "app");
    }
    agents.autoSucceed("canary");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("canary", "canary", "web"), 4);
    lp.getSpec().rollout.canary = new CanarySpec();
    lp.getSpec().rollout.canary.nodes = 1;
    client.resource(lp).create();

    await().untilAsserted(() -> assertThat(reason("canary", KulpConstants.CONDITION_PROGRESSING))
        .isEqualTo(KulpConstants.REASON_CANARY_PAUSE));
    assertThat(get("canary").getSpec().rollout.canary.pause).isEqualTo("Indefinite");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(nodesOf(client, "canary")).hasSize(1));
    assertThat(condition("canary", KulpConstants.CONDITION_COMPLETE)).isEqualTo("False");

    client.resources(LivePatch.class).withName("canary").edit(l -> {
      l.getSpec().rollout.canary.pause = "0s";
      return l;
    });

    awaitCondition("canary", KulpConstants.CONDITION_COMPLETE, "True");
    assertThat(nodesOf(client, "canary")).hasSize(4);
  }

  @Test
  void aTimedCanaryPauseResumesByItself() {
    var nodes = new FakeNodes(client, "timed");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoSucceed("timed");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("timed", "timed", "web"), 2);
    lp.getSpec().rollout.canary = new CanarySpec();
    lp.getSpec().rollout.canary.nodes = 1;
    lp.getSpec().rollout.canary.pause = "5s";
    client.resource(lp).create();

    await().untilAsserted(() -> assertThat(reason("timed", KulpConstants.CONDITION_PROGRESSING))
        .isEqualTo(KulpConstants.REASON_CANARY_PAUSE));
    assertThat(nodesOf(client, "timed")).hasSize(1);
    awaitCondition("timed", KulpConstants.CONDITION_COMPLETE, "True");
    assertThat(nodesOf(client, "timed")).hasSize(2);
  }

  @Test
  void pausedStartsNoFurtherNodeAndUnpausingResumes() {
    var nodes = new FakeNodes(client, "pause");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("pause", "pause", "web"), 1))
        .create();
    await().untilAsserted(() -> assertThat(nodesOf(client, "pause")).containsOnlyKeys(nodes.node("a")));

    setPaused("pause", true);
    await().untilAsserted(() -> {
      LivePatch lp = get("pause");
      assertThat(lp.getStatus()).as("status written after the first LivePatchNode").isNotNull();
      assertThat(lp.getStatus().observedGeneration).isEqualTo(lp.getMetadata().getGeneration());
    });
    agents.report("pause", nodes.node("a"), NodePhase.Succeeded);
    await().untilAsserted(() -> assertThat(reason("pause", KulpConstants.CONDITION_PROGRESSING))
        .isEqualTo(KulpConstants.REASON_PAUSED));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(nodesOf(client, "pause")).hasSize(1));

    setPaused("pause", false);
    await().untilAsserted(() -> assertThat(nodesOf(client, "pause")).hasSize(2));
    agents.report("pause", nodes.node("b"), NodePhase.Succeeded);
    awaitCondition("pause", KulpConstants.CONDITION_COMPLETE, "True");
  }

  @Test
  void revertAllAsksEveryTargetedNodeToRevertEveryPatchOfTheLibrary() {
    var nodes = new FakeNodes(client, "rall");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoSucceed("rall");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("rall", "rall", "web"), 2);
    lp.getSpec().action = Action.RevertAll;
    lp.getSpec().patch = null;
    client.resource(lp).create();

    awaitCondition("rall", KulpConstants.CONDITION_COMPLETE, "True");
    assertThat(nodesOf(client, "rall").values()).hasSize(2).allSatisfy(lpn -> {
      assertThat(lpn.getSpec().action).isEqualTo(Action.RevertAll);
      assertThat(lpn.getSpec().library.name).isEqualTo("libfoo.so.1");
      assertThat(lpn.getSpec().patch).isNull();
    });
    assertThat(get("rall").getStatus().processes.patched).isEqualTo(2);
  }

  @Test
  void aNewSha256ReRollsEveryNode() {
    var nodes = new FakeNodes(client, "reroll");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoSucceed("reroll");
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("reroll", "reroll", "web"), 1))
        .create();
    awaitCondition("reroll", KulpConstants.CONDITION_COMPLETE, "True");

    client.resources(LivePatch.class).withName("reroll").edit(l -> {
      l.getSpec().patch.sha256 = TestLivePatches.SHA_B;
      return l;
    });

    await().untilAsserted(() -> {
      LivePatch lp = get("reroll");
      assertThat(lp.getStatus().observedGeneration).isEqualTo(lp.getMetadata().getGeneration());
      assertThat(condition("reroll", KulpConstants.CONDITION_COMPLETE)).isEqualTo("True");
      assertThat(nodesOf(client, "reroll").values()).hasSize(2)
          .allSatisfy(l -> assertThat(l.getSpec().patch.sha256).isEqualTo(TestLivePatches.SHA_B));
    });
  }

  @Test
  void continuousModeAlsoPatchesPodsThatStartLaterButOneShotDoesNot() {
    var nodes = new FakeNodes(client, "modes");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    agents.autoSucceed("modes-cont");
    agents.autoSucceed("modes-once");
    var continuous = TestLivePatches.withConcurrency(TestLivePatches.apply("modes-cont", "modes", "web"), 2);
    continuous.getSpec().mode = Mode.Continuous;
    client.resource(continuous).create();
    client.resource(TestLivePatches.withConcurrency(TestLivePatches.apply("modes-once", "modes", "web"), 2))
        .create();
    awaitCondition("modes-cont", KulpConstants.CONDITION_COMPLETE, "True");
    awaitCondition("modes-once", KulpConstants.CONDITION_COMPLETE, "True");

    nodes.runPod("web-b", "b", "web", "app");

    await().untilAsserted(() -> {
      assertThat(nodesOf(client, "modes-cont")).containsOnlyKeys(nodes.node("a"), nodes.node("b"));
      assertThat(get("modes-cont").getStatus().nodesDone).isEqualTo("2/2");
    });
    assertThat(nodesOf(client, "modes-once")).containsOnlyKeys(nodes.node("a"));
    assertThat(get("modes-once").getStatus().nodesDone).isEqualTo("1/1");
  }

  @Test
  void kubectlShowsThePrinterColumnsAndCanWaitForComplete() throws Exception {
    var nodes = new FakeNodes(client, "cols");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    agents.autoReply("cols", lpn -> lpn.getSpec().nodeName.endsWith("-b")
        ? NodePhase.Failed : NodePhase.Succeeded);
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("cols", "cols", "web"), 2);
    lp.getSpec().rollout.failurePolicy = new FailurePolicy();
    lp.getSpec().rollout.failurePolicy.maxFailedNodes = 1;
    client.resource(lp).create();
    var kubectl = new Kubectl(cluster.kubeconfig());

    var waited = kubectl.run("wait", "--for=condition=Complete", "lp/cols", "--timeout=60s");
    assertThat(waited.exitCode()).as(waited.out()).isZero();

    var got = kubectl.run("get", "lp", "cols");
    assertThat(got.exitCode()).as(got.out()).isZero();
    var lines = got.out().strip().lines().toList();
    // kubectl prints NAME, then the CRD's columns in the order LivePatch declares them.
    var header = java.util.List.of(lines.get(0).split("\\s+"));
    var row = java.util.List.of(lines.get(1).split("\\s+"));
    assertThat(header).containsExactly(
        "NAME", "ACTION", "LIBRARY", "STATUS", "NODES", "PATCHED", "FAILED", "COMPLETE", "AGE");
    java.util.function.Function<String, String> column = h -> row.get(header.indexOf(h));
    assertThat(column.apply("NAME")).isEqualTo("cols");
    assertThat(column.apply("ACTION")).isEqualTo("Apply");
    assertThat(column.apply("LIBRARY")).isEqualTo("libfoo.so.1");
    assertThat(column.apply("STATUS")).as("done, one failure tolerated").isEqualTo(KulpConstants.REASON_NODES_FAILED);
    assertThat(column.apply("NODES")).isEqualTo("1/2");
    assertThat(column.apply("PATCHED")).isEqualTo("1");
    assertThat(column.apply("FAILED")).isEqualTo("1");
    assertThat(column.apply("COMPLETE")).isEqualTo("True");
    var nodeList = kubectl.run("get", "lpn", "-l", KulpConstants.LABEL_LIVEPATCH + "=cols");
    assertThat(nodeList.out()).contains("cols." + nodes.node("a"), "Succeeded", "Failed");
  }

  /** As `kubectl patch --type merge` does: no resourceVersion, so the operator's writes cannot conflict. */
  private static void setPaused(String name, boolean paused) {
    client.resources(LivePatch.class).withName(name).patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"spec\":{\"rollout\":{\"paused\":" + paused + "}}}");
  }

  private static void awaitCondition(String name, String type, String status) {
    await().atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(condition(name, type)).isEqualTo(status));
  }

  private static String reason(String name, String type) {
    LivePatch lp = get(name);
    return lp.getStatus() == null ? null
        : Conditions.find(lp.getStatus().conditions, type).map(c -> c.getReason()).orElse(null);
  }

  private static LivePatch get(String name) {
    return client.resources(LivePatch.class).withName(name).get();
  }

  private static String condition(String name, String type) {
    LivePatch lp = get(name);
    if (lp.getStatus() == null) {
      return null;
    }
    return Conditions.find(lp.getStatus().conditions, type).map(c -> c.getStatus()).orElse(null);
  }

}
