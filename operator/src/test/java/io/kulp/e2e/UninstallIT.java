package io.kulp.e2e;

import static io.kulp.operator.testing.ItSupport.awaitCondition;
import static io.kulp.operator.testing.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.Kubectl;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.TestLivePatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Removing kulp as docs/operations.md says, on a real API server with deploy/ applied by kubectl
 * and the operator running with deploy/'s RBAC: with LivePatches present, `kubectl delete -k
 * deploy/` is refused with a message that names the fix, however often it is tried, and leaves
 * kulp whole; in the documented order (LivePatches first, wait, then kulp) every LivePatch is
 * reverted and kulp goes.
 */
class UninstallIT {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String DEPLOY = REPO.resolve("deploy").toString();
  /** kulp's admission policies and bindings, which the API server exempts from admission policies. */
  private static final List<String> POLICIES = List.of(
      "validatingadmissionpolicy/kulp-agent-own-node", "validatingadmissionpolicy/kulp-agent-own-lease",
      "validatingadmissionpolicy/kulp-uninstall-guard", "validatingadmissionpolicybinding/kulp-agent-own-node",
      "validatingadmissionpolicybinding/kulp-agent-own-lease", "validatingadmissionpolicybinding/kulp-uninstall-guard");

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
    // in place of deploy/'s Deployment (no kubelet here), with its service account's rights
    Path operatorKubeconfig = ServiceAccountKubeconfig.write(client, Files.readString(cluster.kubeconfig()),
        OperatorUnderTest.NAMESPACE, "kulp-operator");
    operator = OperatorUnderTest.start(new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(operatorKubeconfig))).build());
    agents = new FakeAgents(cluster.newClient());
    new FakeNodes(client, "un").addNodesEachRunningWeb("a");
    agents.autoSucceed("un");
    client.resource(TestLivePatches.apply("un", "un", "web")).create();
    awaitCondition(client, "un", KulpConstants.CONDITION_COMPLETE, "True", null);
    // The API server loads admission policies and their parameters asynchronously.
    await("the uninstall guard in force").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> kubectl.run("delete", "--dry-run=server", "crd", "livepatches.kulp.io").exitCode() != 0);
  }

  @AfterEach
  void stop() throws Exception {
    agents.close();
    operator.close();
    cluster.close();
  }

  @Test
  void withALivePatchPresentRemovingKulpIsRefusedEveryTimeNamingTheFixAndLeavesKulpWhole() throws Exception {
    List<String> before = deployObjects();
    assertThat(before).hasSize(37).contains("namespace/kulp-system", "customresourcedefinition/livepatches.kulp.io",
        "deployment/kulp-operator", "daemonset/kulp-agent", "clusterrolebinding/kulp-operator")
        .containsAll(POLICIES);
    assertThat(finalizersOfPolicies()).as("held by the operator while a LivePatch exists").hasSize(6)
        .allSatisfy((policy, finalizers) -> assertThat(finalizers).containsExactly("kulp.io/livepatches-exist"));

    for (int attempt = 1; attempt <= 2; attempt++) {
      var refused = kubectl.run("delete", "-k", DEPLOY); // kubectl's default: wait for the deletions

      assertThat(refused.exitCode()).as("attempt %d", attempt).isNotZero();
      assertThat(refused.out()).as("attempt %d", attempt)
          .contains("LivePatch un (and maybe others) still exists")
          .contains("kubectl delete livepatches --all --wait=false && kubectl wait --for=delete livepatches --all")
          .contains("kubectl delete -k deploy/ --ignore-not-found")
          .contains("stay in force until the last LivePatch is gone");
      assertThat(deployObjects()).as("attempt %d: nothing of kulp went", attempt).containsExactlyElementsOf(before);
      // The API server exempts admission policies from admission: they are marked for deletion,
      // and the operator's finalizer keeps them, in force.
      assertThat(terminating()).as("attempt %d", attempt).containsExactlyInAnyOrderElementsOf(POLICIES);
      assertThat(get(client, "un").getMetadata().getDeletionTimestamp()).isNull();
    }

    // As the refusal says: the LivePatches first; the policies go with the last of them.
    assertThat(kubectl.run("delete", "livepatches", "--all", "--wait=false").exitCode()).isZero();
    var waited = kubectl.run("wait", "--for=delete", "livepatches", "--all", "--timeout=50s");
    assertThat(waited.exitCode()).as(waited.out()).isZero();
    assertThat(eventsAbout("un")).extracting(Event::getMessage).contains("every node reported on the revert");
    await("the policies marked for deletion gone").atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(deployObjects()).doesNotContainAnyElementsOf(POLICIES));

    removeKulpAsDocumented();
  }

  @Test
  void inTheDocumentedOrderEveryLivePatchIsRevertedThenKulpGoesAtOnce() throws Exception {
    agents.autoSucceed("un-2");
    client.resource(TestLivePatches.apply("un-2", "un", "web")).create();
    awaitCondition(client, "un-2", KulpConstants.CONDITION_COMPLETE, "True", null);

    // Both at once: each one's revert ends while the operator's cache still shows the other.
    assertThat(kubectl.run("delete", "livepatches", "--all", "--wait=false").exitCode()).isZero();
    var waited = kubectl.run("wait", "--for=delete", "livepatches", "--all", "--timeout=50s");
    assertThat(waited.exitCode()).as(waited.out()).isZero();
    assertThat(eventsAbout("un")).extracting(Event::getMessage).contains("every node reported on the revert");
    assertThat(eventsAbout("un-2")).extracting(Event::getMessage).contains("every node reported on the revert");
    assertThat(finalizersOfPolicies()).as("let go before the last LivePatch went").hasSize(6)
        .allSatisfy((policy, finalizers) -> assertThat(finalizers).isEmpty());

    removeKulpAsDocumented();
  }

  /** docs/operations.md's last step, once no LivePatch is left. */
  private void removeKulpAsDocumented() throws Exception {
    await("the guard sees no LivePatch").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> kubectl.run("delete", "--dry-run=server", "crd", "livepatches.kulp.io").exitCode() == 0);

    // --wait=false: with no namespace controller here, kubectl would wait for the namespaces forever
    var removed = kubectl.run("delete", "-k", DEPLOY, "--ignore-not-found", "--wait=false");

    assertThat(removed.exitCode()).as(removed.out()).isZero();
    await("the CRDs gone").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(kubectl.run("get", "crd", "-o", "name").out()).doesNotContain("kulp.io"));
    // No namespace controller runs here: the namespaces stay Terminating, everything else is gone.
    assertThat(deployObjects()).containsExactlyInAnyOrder("namespace/kulp-patches", "namespace/kulp-system");
    assertThat(terminating()).containsExactlyInAnyOrder("namespace/kulp-patches", "namespace/kulp-system");
  }

  /** The finalizers on each of kulp's admission policies and bindings, as kind/name to finalizers. */
  private Map<String, List<String>> finalizersOfPolicies() {
    var v1 = client.admissionRegistration().v1();
    Map<String, List<String>> finalizers = new TreeMap<>();
    for (String policy : POLICIES) {
      String name = policy.substring(policy.indexOf('/') + 1);
      HasMetadata object = policy.startsWith("validatingadmissionpolicybinding/")
          ? v1.validatingAdmissionPolicyBindings().withName(name).get()
          : v1.validatingAdmissionPolicies().withName(name).get();
      finalizers.put(policy, object.getMetadata().getFinalizers());
    }
    return finalizers;
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
