package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.LivePatchHistory;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Events the operator announces about a LivePatch are accepted by a real kube-apiserver and
 * can be found by the LivePatch's name, the operator running in its own namespace as deployed.
 */
class LivePatchEventsIT extends OperatorAgainstApiServer {

  @Test
  void everyTransitionOfARolloutAndItsDeletionIsAnEventAboutTheLivePatch() {
    var nodes = new FakeNodes(client, "ev");
    nodes.addNodes("a", "b");
    nodes.runPod("web-a", "a", "web", "app");
    nodes.runPod("web-b", "b", "web", "app");
    var lp = TestLivePatches.withConcurrency(TestLivePatches.apply("ev", "ev", "web"), 2);
    lp.getSpec().rollout.failurePolicy = new FailurePolicy();
    lp.getSpec().rollout.failurePolicy.maxFailedNodes = 1;
    agents.autoReply("ev", lpn -> lpn.getSpec().nodeName.endsWith("-b")
        ? NodePhase.Failed : NodePhase.Succeeded);
    client.resource(lp).create();
    awaitCondition(client, "ev", KulpConstants.CONDITION_COMPLETE, "True", null);
    String uid = get(client, "ev").getMetadata().getUid();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(eventsAbout("ev"))
        .extracting(Event::getReason, Event::getType)
        .contains(
            org.assertj.core.groups.Tuple.tuple(KulpConstants.EVENT_NODE_STARTED, "Normal"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.REASON_ROLLING_OUT, "Normal"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.REASON_NODES_FAILED, "Warning"),
            org.assertj.core.groups.Tuple.tuple(KulpConstants.REASON_ALL_NODES_DONE, "Normal")));
    assertThat(eventsAbout("ev")).extracting(Event::getMessage)
        .anySatisfy(m -> assertThat(m).startsWith("Complete=True (AllNodesDone)"))
        .anySatisfy(m -> assertThat(m).startsWith("Degraded=True (NodesFailed)"));

    client.resources(LivePatch.class).withName("ev").delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> get(client, "ev") == null);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(eventsAbout("ev"))
        .extracting(Event::getReason).contains(KulpConstants.REASON_DELETING));
    assertThat(eventsAbout("ev")).allSatisfy(e -> {
      assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("LivePatch");
      assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("kulp.io/v1alpha1");
      assertThat(e.getInvolvedObject().getUid()).isEqualTo(uid);
      assertThat(e.getSource().getComponent()).isEqualTo("kulp-operator");
    });
  }

  @Test
  void everyConditionTransitionTheApiServerPersistedIsAnnouncedByExactlyOneEventWithAMessage() {
    var nodes = new FakeNodes(client, "tr");
    nodes.addNodesEachRunningWeb("a", "b", "c");
    var lp = TestLivePatches.apply("tr", "tr", "web"); // one node at a time: many status writes
    lp.getSpec().rollout.failurePolicy = new FailurePolicy();
    lp.getSpec().rollout.failurePolicy.maxFailedNodes = 1;
    agents.autoReply("tr", lpn -> lpn.getSpec().nodeName.endsWith("-b")
        ? NodePhase.Failed : NodePhase.Succeeded);
    try (var history = new LivePatchHistory(client)) {
      client.resource(lp).create();
      awaitCondition(client, "tr", KulpConstants.CONDITION_COMPLETE, "True", null);

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(announced(eventsAbout("tr"))).isEqualTo(transitions(history.of("tr"))));
      // and no late duplicate follows
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(announced(eventsAbout("tr"))).isEqualTo(transitions(history.of("tr"))));
      assertThat(transitions(history.of("tr"))).containsKeys(
          "Progressing=True (RollingOut)", "Degraded=True (NodesFailed)",
          "Complete=True (AllNodesDone)", "Stalled=True (NodesFailed)");
    }
    assertThat(eventsAbout("tr")).extracting(Event::getMessage)
        .allSatisfy(m -> assertThat(m).doesNotEndWith(": ").matches("(?s).*\\S.*"));
  }

  /**
   * "Type=Status (Reason)" of every condition transition between consecutive persisted versions
   * (a condition absent before counts when it appears True), with how often it happened.
   */
  private static Map<String, Long> transitions(List<LivePatch> versions) {
    Map<String, Long> out = new TreeMap<>();
    List<Condition> before = List.of();
    for (LivePatch v : versions) {
      List<Condition> after = v.getStatus() == null ? List.of() : v.getStatus().conditions;
      for (Condition c : after) {
        String was = before.stream().filter(b -> b.getType().equals(c.getType()))
            .map(Condition::getStatus).findFirst().orElse(null);
        if (was == null ? "True".equals(c.getStatus()) : !was.equals(c.getStatus())) {
          out.merge(c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ")", 1L, Long::sum);
        }
      }
      before = after;
    }
    return out;
  }

  /** The same, read from the Events that announce condition transitions. */
  private static Map<String, Long> announced(List<Event> events) {
    Map<String, Long> out = new TreeMap<>();
    Pattern transition = Pattern.compile("^(\\w+=(True|False) \\(\\w+\\)): .*", Pattern.DOTALL);
    for (Event e : events) {
      Matcher m = transition.matcher(e.getMessage());
      if (m.matches()) {
        out.merge(m.group(1), 1L, Long::sum);
      }
    }
    return out;
  }

  /** Events about the LivePatch {@code name}, in any namespace, as kubectl describe finds them. */
  private static List<Event> eventsAbout(String name) {
    return client.v1().events().inAnyNamespace()
        .withField("involvedObject.kind", "LivePatch")
        .withField("involvedObject.name", name).list().getItems();
  }
}
