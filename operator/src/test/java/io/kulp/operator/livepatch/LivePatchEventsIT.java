package io.kulp.operator.livepatch;

import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.TestLivePatches;
import java.time.Duration;
import java.util.List;
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

  /** Events about the LivePatch {@code name}, in any namespace, as kubectl describe finds them. */
  private static List<Event> eventsAbout(String name) {
    return client.v1().events().inAnyNamespace()
        .withField("involvedObject.kind", "LivePatch")
        .withField("involvedObject.name", name).list().getItems();
  }
}
