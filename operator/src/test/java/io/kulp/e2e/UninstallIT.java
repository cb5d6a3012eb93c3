package io.kulp.e2e;

import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.KulpConstants;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.Kubectl;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.TestLivePatches;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Removing kulp as docs/operations.md says, on a real API server with deploy/ applied by kubectl
 * and the operator running: with LivePatches present, `kubectl delete -k deploy/` is refused with
 * a message that names the fix and leaves kulp whole; in the documented order (LivePatches first,
 * wait, then kulp) every LivePatch is reverted and kulp goes.
 */
class UninstallIT {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String DEPLOY = REPO.resolve("deploy").toString();

  private KubeApiTestCluster cluster;
  private KubernetesClient client;
  private Kubectl kubectl;
  private KulpOperatorApp operator;
  private FakeAgents agents;

  @BeforeEach
  void installKulp() throws Exception {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
    kubectl = new Kubectl(cluster.kubeconfig());
    var applied = kubectl.run("apply", "--server-side", "--force-conflicts", "-k", DEPLOY);
    assertThat(applied.exitCode()).as(applied.out()).isZero();
    operator = OperatorUnderTest.start(cluster.newClient()); // in place of deploy/'s Deployment: no kubelet here
    agents = new FakeAgents(cluster.newClient());
  }

  @AfterEach
  void stop() throws Exception {
    agents.close();
    operator.close();
    cluster.close();
  }

  @Test
  void withALivePatchPresentRemovingKulpIsRefusedNamingTheFixAndTheDocumentedOrderRevertsItThenRemovesKulp()
      throws Exception {
    var nodes = new FakeNodes(client, "un");
    nodes.addNodesEachRunningWeb("a");
    agents.autoSucceed("un");
    client.resource(TestLivePatches.apply("un", "un", "web")).create();
    awaitCondition(client, "un", KulpConstants.CONDITION_COMPLETE, "True", null);
    // The API server loads admission policies and their parameters asynchronously.
    await("the uninstall guard in force").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> kubectl.run("delete", "--dry-run=server", "crd", "livepatches.kulp.io").exitCode() != 0);
    List<String> before = deployObjects();
    assertThat(before).hasSize(37).contains("namespace/kulp-system", "customresourcedefinition/livepatches.kulp.io",
        "deployment/kulp-operator", "daemonset/kulp-agent", "clusterrolebinding/kulp-operator",
        "validatingadmissionpolicybinding/kulp-uninstall-guard");

    var refused = kubectl.run("delete", "-k", DEPLOY, "--wait=false");

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.out())
        .contains("LivePatch un (and maybe others) still exists")
        .contains("kubectl delete livepatches --all --wait=false && kubectl wait --for=delete livepatches --all")
        .contains("kubectl apply --server-side -k deploy/ restores them");
    // Only the admission policies went (the API server exempts them from admission policies).
    assertThat(deployObjects()).containsExactlyElementsOf(before.stream()
        .filter(o -> !o.startsWith("validatingadmissionpolic")).toList());
    assertThat(terminating()).as("nothing of kulp is being deleted").isEmpty();
    assertThat(get(client, "un").getMetadata().getDeletionTimestamp()).isNull();

    // As the refusal says: restore the guard, then the documented order.
    assertThat(kubectl.run("apply", "--server-side", "--force-conflicts", "-k", DEPLOY).exitCode()).isZero();
    assertThat(deployObjects()).containsExactlyElementsOf(before);
    assertThat(kubectl.run("delete", "livepatches", "--all", "--wait=false").exitCode()).isZero();
    var waited = kubectl.run("wait", "--for=delete", "livepatches", "--all", "--timeout=50s");
    assertThat(waited.exitCode()).as(waited.out()).isZero();
    assertThat(eventsAbout("un")).extracting(Event::getMessage)
        .contains("every node reported on the revert");
    await("the guard sees no LivePatch").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> kubectl.run("delete", "--dry-run=server", "crd", "livepatches.kulp.io").exitCode() == 0);

    var removed = kubectl.run("delete", "-k", DEPLOY, "--wait=false");

    assertThat(removed.exitCode()).as(removed.out()).isZero();
    await("the CRDs gone").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(kubectl.run("get", "crd", "-o", "name").out()).doesNotContain("kulp.io"));
    // No namespace controller runs here: the namespaces stay Terminating, everything else is gone.
    assertThat(deployObjects()).containsExactlyInAnyOrder("namespace/kulp-patches", "namespace/kulp-system");
    assertThat(terminating()).containsExactlyInAnyOrder("namespace/kulp-patches", "namespace/kulp-system");
  }

  /** The objects of deploy/ that exist, as kind/name, in the order kustomize lists them. */
  private List<String> deployObjects() throws Exception {
    var got = kubectl.run("get", "-k", DEPLOY, "-o", "name", "--ignore-not-found");
    return Arrays.stream(got.out().split("\n")).map(String::strip).filter(l -> !l.isEmpty())
        .filter(l -> l.matches("[a-z0-9.-]+/\\S+")) // not kubectl's warnings
        .map(l -> l.substring(0, l.indexOf('/')).split("\\.")[0] + l.substring(l.indexOf('/')))
        .toList();
  }

  /** The objects of deploy/ that have a deletionTimestamp. */
  private List<String> terminating() throws Exception {
    var got = kubectl.run("get", "-k", DEPLOY, "--ignore-not-found", "-o",
        "jsonpath={range .items[?(@.metadata.deletionTimestamp)]}{.kind}/{.metadata.name}{\"\\n\"}{end}");
    return Arrays.stream(got.out().split("\n")).map(String::strip).filter(l -> l.matches("\\w+/\\S+"))
        .map(l -> l.substring(0, l.indexOf('/')).toLowerCase() + l.substring(l.indexOf('/'))).toList();
  }

  private List<Event> eventsAbout(String name) {
    return client.v1().events().inAnyNamespace().withField("involvedObject.kind", "LivePatch")
        .withField("involvedObject.name", name).list().getItems();
  }
}
