package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.agent.kube.AgentLease;
import java.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ and deploy/examples as a user applies them, on a real API server (schema, CEL and RBAC
 * as the server enforces them), and the example patch checked against its LivePatch.
 */
class DeployManifestsIT {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String AGENT = "system:serviceaccount:kulp-system:kulp-agent";
  private static final String OPERATOR = "system:serviceaccount:kulp-system:kulp-operator";
  private static KubeAPIServer server;
  private static Path kubeconfig;

  @BeforeAll
  static void startServerAndApplyDeploy() throws Exception {
    server = KubeApiTestCluster.startServer();
    kubeconfig = Files.createTempFile("kulp-deploy-it", ".kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    kubectl("apply", "--server-side", "-k", REPO.resolve("deploy").toString());
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> kubectl("get", "crd", "livepatches.kulp.io", "-o", "jsonpath={.status.conditions[?(@.type=='Established')].status}")
            .equals("True"));
    // The API server loads admission policies asynchronously: wait until the agent's rules hold, as
    // a server-side dry run of an agent's Lease write shows (impersonated, it has no node: refused).
    Path lease = Files.createTempFile("kulp-deploy-it-lease", ".yaml");
    Files.writeString(lease, "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: kulp-agent-probe,"
        + " namespace: kulp-system}\nspec: {holderIdentity: probe}\n");
    await("the agents' admission policies in force").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> E2EEnvironment.kubectlExit(REPO, kubeconfig, "--as=" + AGENT, "create", "--dry-run=server",
            "-f", lease.toString()) != 0);
    Files.delete(lease);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
    Files.deleteIfExists(kubeconfig);
  }

  private static String kubectl(String... args) {
    return E2EEnvironment.kubectl(REPO, kubeconfig, args).trim();
  }

  /** `kubectl auth can-i`; {@code resource} may end in /status for the status subresource. */
  private static boolean can(String who, String verb, String resource) {
    String[] parts = resource.split("/");
    List<String> args = new java.util.ArrayList<>(List.of("auth", "can-i", "--as=" + who, verb, parts[0]));
    if (parts.length > 1) {
      args.add("--subresource=" + parts[1]);
    }
    return E2EEnvironment.kubectlExit(REPO, kubeconfig, args.toArray(String[]::new)) == 0;
  }

  /** `kubectl auth can-i` on one object, {@code type/name}. */
  private static boolean canOn(String who, String verb, String typeAndName) {
    return E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + who, verb, typeAndName) == 0;
  }

  @Test
  void theServerAcceptsTheExampleLivePatchAndItsConfigMap() {
    String out = kubectl("apply", "--server-side", "-k", REPO.resolve("deploy/examples").toString());

    assertThat(out).contains("livepatch.kulp.io/kfix-value-v2 serverside-applied")
        .contains("configmap/kfix-value-v2 serverside-applied");
  }

  @Test
  void theExamplePatchIsARealPatchWhoseDigestAndLibraryMatchItsLivePatch(@TempDir Path tmp) throws Exception {
    ConfigMap cm = Serialization.unmarshal(Files.readString(REPO.resolve("deploy/examples/patch-configmap.yaml")),
        ConfigMap.class);
    LivePatch lp = Serialization.unmarshal(Files.readString(REPO.resolve("deploy/examples/livepatch.yaml")),
        LivePatch.class);
    byte[] bytes = Base64.getDecoder().decode(cm.getBinaryData().get(lp.getSpec().patch.configMapRef.key));
    Path file = Files.write(tmp.resolve("patch.so"), bytes);

    PatchMetadata meta = PatchContainer.read(file).apply();

    assertThat(Sha256.of(bytes)).isEqualTo(lp.getSpec().patch.sha256);
    assertThat(meta.targetLibrary()).isEqualTo(lp.getSpec().library.name);
    assertThat(meta.targetBuildId().hex()).isEqualTo(lp.getSpec().library.buildID);
    assertThat(lp.getSpec().patch.configMapRef.name).isEqualTo(cm.getMetadata().getName());
    assertThat(lp.getSpec().patch.configMapRef.namespace).isEqualTo(cm.getMetadata().getNamespace());
  }

  @Test
  void theAgentMayReadItsInputsAndWriteOnlyLivePatchNodeStatus() {
    assertThat(can(AGENT, "watch", "livepatchnodes.kulp.io")).isTrue();
    assertThat(can(AGENT, "patch", "livepatchnodes.kulp.io/status")).isTrue();
    assertThat(can(AGENT, "list", "pods")).isTrue();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + AGENT, "-n", "kulp-patches",
        "get", "configmaps")).isZero();

    assertThat(can(AGENT, "patch", "livepatchnodes.kulp.io")).isFalse();
    assertThat(can(AGENT, "update", "livepatchnodes.kulp.io/status")).isFalse();
    assertThat(can(AGENT, "delete", "livepatchnodes.kulp.io")).isFalse();
    assertThat(can(AGENT, "get", "livepatches.kulp.io")).isFalse();
    assertThat(can(AGENT, "list", "configmaps")).isFalse();
    assertThat(can(AGENT, "get", "configmaps")).as("ConfigMaps outside kulp-patches").isFalse();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + AGENT, "-n", "kube-system",
        "get", "configmaps")).isNotZero();
    assertThat(can(AGENT, "get", "secrets")).isFalse();
    assertThat(can(AGENT, "create", "pods")).isFalse();
    assertThat(can(AGENT, "create", "events")).isFalse();
    for (String verb : List.of("get", "create", "update")) {
      assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + AGENT, "-n", "kulp-system",
          verb, "leases.coordination.k8s.io")).as("its Lease: " + verb).isZero();
    }
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + AGENT, "-n", "kulp-system",
        "delete", "leases.coordination.k8s.io")).isNotZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + AGENT, "-n", "kulp-system",
        "list", "leases.coordination.k8s.io")).isNotZero();
    assertThat(can(AGENT, "create", "leases.coordination.k8s.io")).as("leases outside kulp-system").isFalse();
  }

  @Test
  void anAgentMayRenewItsOwnNodesLeaseOnlyHeldByItsOwnPod() throws Exception {
    try (KubernetesClient admin = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build()) {
      for (String node : List.of("lease-a", "lease-b")) {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
      }
      Path agentOfA = ServiceAccountKubeconfig.forAgentOn(admin, server.getKubeConfigYaml(), "lease-a");
      Path unbound = ServiceAccountKubeconfig.write(admin, server.getKubeConfigYaml(), "kulp-system", "kulp-agent");
      try (KubernetesClient a = client(agentOfA); KubernetesClient nowhere = client(unbound)) {
        // the pod ServiceAccountKubeconfig binds the token to
        String podOfA = "kulp-agent-lease-a";
        new AgentLease(a, "kulp-system", "lease-a", podOfA, Duration.ofSeconds(40), Clock.systemUTC()).renew();
        new AgentLease(a, "kulp-system", "lease-a", podOfA, Duration.ofSeconds(40), Clock.systemUTC()).renew();
        assertThat(admin.resources(Lease.class).inNamespace("kulp-system").withName("kulp-agent-lease-a").get()
            .getSpec().getHolderIdentity()).isEqualTo(podOfA);

        assertThatThrownBy(() -> new AgentLease(a, "kulp-system", "lease-b", podOfA, Duration.ofSeconds(40),
            Clock.systemUTC()).renew()).isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("the Lease of its own node only: this one is kulp-agent-lease-b, the agent runs on lease-a");
        assertThatThrownBy(() -> new AgentLease(a, "kulp-system", "lease-a", "someone-else", Duration.ofSeconds(40),
            Clock.systemUTC()).renew()).isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("held by its own pod");
        assertThatThrownBy(() -> new AgentLease(nowhere, "kulp-system", "lease-a", podOfA, Duration.ofSeconds(40),
            Clock.systemUTC()).renew()).isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("no node (its token is not bound to a scheduled pod)");
        assertThat(admin.resources(Lease.class).inNamespace("kulp-system").withName("kulp-agent-lease-b").get())
            .isNull();
      } finally {
        Files.deleteIfExists(agentOfA);
        Files.deleteIfExists(unbound);
      }
    }
  }

  @Test
  void anAgentMayWriteTheStatusOfItsOwnNodesLivePatchNodesOnly() throws Exception {
    try (KubernetesClient admin = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build()) {
      for (String node : List.of("own-a", "own-b")) {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
        admin.resource(livePatchNode("lp-" + node, node)).create();
      }
      Path agentOfA = ServiceAccountKubeconfig.forAgentOn(admin, server.getKubeConfigYaml(), "own-a");
      Path unbound = ServiceAccountKubeconfig.write(admin, server.getKubeConfigYaml(), "kulp-system", "kulp-agent");
      try (KubernetesClient a = client(agentOfA); KubernetesClient nowhere = client(unbound)) {
        reportSucceeded(a, "lp-own-a");
        assertThat(admin.resources(LivePatchNode.class).withName("lp-own-a").get().getStatus().phase)
            .isEqualTo(NodePhase.Succeeded);

        assertThatThrownBy(() -> reportSucceeded(a, "lp-own-b")).isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("its own node's LivePatchNodes only: this one is for node own-b, the agent runs on own-a");
        assertThatThrownBy(() -> reportSucceeded(nowhere, "lp-own-a")).isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("no node (its token is not bound to a scheduled pod)");
        assertThat(admin.resources(LivePatchNode.class).withName("lp-own-b").get().getStatus()).isNull();
      } finally {
        Files.deleteIfExists(agentOfA);
        Files.deleteIfExists(unbound);
      }
    }
  }

  private static KubernetesClient client(Path kubeconfig) throws Exception {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
  }

  /** What an agent writes at the end of a pass: a server-side apply of the status subresource, status only. */
  private static void reportSucceeded(KubernetesClient agent, String name) {
    LivePatchNode lpn = agent.resources(LivePatchNode.class).withName(name).get();
    LivePatchNodeStatus status = new LivePatchNodeStatus();
    status.observedGeneration = lpn.getMetadata().getGeneration();
    status.phase = NodePhase.Succeeded;
    String json = Serialization.asJson(Map.of("apiVersion", "kulp.io/v1alpha1", "kind", "LivePatchNode",
        "metadata", Map.of("name", name, "uid", lpn.getMetadata().getUid()), "status", status));
    agent.resources(LivePatchNode.class).withName(name).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("kulp-agent").withForce(true).build(), json);
  }

  private static LivePatchNode livePatchNode(String name, String node) {
    LivePatchNodeSpec spec = new LivePatchNodeSpec();
    spec.livePatch = "lp";
    spec.nodeName = node;
    spec.action = Action.RevertAll;
    spec.mode = Mode.OneShot;
    spec.library = new LibrarySpec();
    spec.library.name = "libkfix.so.1";
    LivePatchNode lpn = new LivePatchNode();
    lpn.setMetadata(new ObjectMetaBuilder().withName(name).build());
    lpn.setSpec(spec);
    return lpn;
  }

  @Test
  void theOperatorMayWriteLivePatchNodesButNotPodsOrSecrets() {
    assertThat(can(OPERATOR, "create", "livepatchnodes.kulp.io")).isTrue();
    assertThat(can(OPERATOR, "patch", "livepatches.kulp.io/status")).isTrue();
    assertThat(can(OPERATOR, "list", "nodes")).isTrue();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "kulp-system",
        "update", "leases.coordination.k8s.io")).isZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "kulp-system",
        "watch", "leases.coordination.k8s.io")).as("the agents' Leases").isZero();

    assertThat(can(OPERATOR, "patch", "livepatchnodes.kulp.io/status")).isFalse();
    assertThat(can(OPERATOR, "update", "livepatches.kulp.io")).isTrue();
    assertThat(can(OPERATOR, "delete", "livepatches.kulp.io")).isFalse();
    assertThat(can(OPERATOR, "delete", "pods")).isFalse();
    assertThat(can(OPERATOR, "get", "secrets")).isFalse();
    assertThat(can(OPERATOR, "get", "configmaps")).isFalse();
    assertThat(can(OPERATOR, "update", "leases.coordination.k8s.io")).as("leases outside kulp-system").isFalse();
  }

  @Test
  void theOperatorMayHoldKulpsAdmissionPoliciesButNoOtherNorCreateOrDeleteOne() {
    for (String policy : List.of("kulp-uninstall-guard", "kulp-agent-own-node", "kulp-agent-own-lease")) {
      for (String kind : List.of("validatingadmissionpolicies", "validatingadmissionpolicybindings")) {
        assertThat(canOn(OPERATOR, "patch", kind + ".admissionregistration.k8s.io/" + policy))
            .as("%s %s", kind, policy).isTrue();
        assertThat(canOn(OPERATOR, "delete", kind + ".admissionregistration.k8s.io/" + policy))
            .as("%s %s", kind, policy).isFalse();
      }
      assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "get", "validatingadmissionpolicy", policy))
          .as("deploy/ installs %s", policy).isZero();
    }
    assertThat(canOn(OPERATOR, "patch", "validatingadmissionpolicies.admissionregistration.k8s.io/other"))
        .isFalse();
    assertThat(can(OPERATOR, "create", "validatingadmissionpolicies.admissionregistration.k8s.io"))
        .isFalse();
    assertThat(can(OPERATOR, "list", "validatingadmissionpolicies.admissionregistration.k8s.io"))
        .isFalse();
  }

  @Test
  void theOperatorMayKeepItsWebhookCertificateAndCaBundleAndNothingElseOfTheirKind() {
    String[] inKulpSystem = {"auth", "can-i", "--as=" + OPERATOR, "-n", "kulp-system"};
    assertThat(kubectlExit(inKulpSystem, "update", "secrets/kulp-webhook-tls")).isZero();
    assertThat(kubectlExit(inKulpSystem, "get", "secrets/kulp-webhook-tls")).isZero();
    assertThat(kubectlExit(inKulpSystem, "create", "secrets")).isZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "update",
        "mutatingwebhookconfigurations.admissionregistration.k8s.io/kulp-runtime-injection")).isZero();

    assertThat(kubectlExit(inKulpSystem, "get", "secrets/other")).isNotZero();
    assertThat(kubectlExit(inKulpSystem, "list", "secrets")).isNotZero();
    assertThat(kubectlExit(inKulpSystem, "delete", "secrets/kulp-webhook-tls")).isNotZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "kube-system",
        "get", "secrets/kulp-webhook-tls")).isNotZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "update",
        "mutatingwebhookconfigurations.admissionregistration.k8s.io/other")).isNotZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "update",
        "validatingwebhookconfigurations.admissionregistration.k8s.io/kulp-runtime-injection")).isNotZero();
    assertThat(can(AGENT, "get", "mutatingwebhookconfigurations.admissionregistration.k8s.io")).isFalse();
  }

  @Test
  void theWebhookIsInstalledOptInAndNeverBlocksPodCreation() {
    String config = kubectl("get", "mutatingwebhookconfiguration", "kulp-runtime-injection", "-o",
        "jsonpath={range .webhooks[*]}{.name} {.failurePolicy} {.timeoutSeconds} {.clientConfig.service.name}"
            + " {.clientConfig.service.path};{end}");

    assertThat(config).isEqualTo("namespace.inject.kulp.io Ignore 5 kulp-webhook /inject-runtime;"
        + "pod.inject.kulp.io Ignore 5 kulp-webhook /inject-runtime;");
    assertThat(kubectl("-n", "kulp-system", "get", "deploy", "kulp-operator", "-o",
        "jsonpath={.spec.template.spec.containers[0].ports[?(@.name=='webhook')].containerPort} "
            + "{.spec.template.spec.containers[0].env[?(@.name=='KULP_RUNTIME_IMAGE')].value}"))
        .isEqualTo("8443 ghcr.io/kulp-io/kulp-runtime:0.1.0");
    assertThat(kubectl("-n", "kulp-system", "get", "svc", "kulp-webhook", "-o",
        "jsonpath={.spec.selector} {.spec.ports[0].targetPort}")).isEqualTo("{\"kulp.io/component\":\"operator\"} webhook");
  }

  private static int kubectlExit(String[] prefix, String... args) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(prefix), java.util.Arrays.stream(args))
        .toArray(String[]::new);
    return E2EEnvironment.kubectlExit(REPO, kubeconfig, all);
  }

  @Test
  void theOperatorMayRecordEventsInDefaultOnlyWhereTheServerAcceptsEventsAboutLivePatches() {
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "default",
        "create", "events")).isZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "kube-system",
        "create", "events")).isNotZero();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "default",
        "delete", "events")).isNotZero();
  }

  @Test
  void onlyScrapersAndTheNodeMayReachTheAgentsAndTheOperatorsOpsPort() {
    String policy = kubectl("-n", "kulp-system", "get", "networkpolicy", "kulp-ops-port", "-o",
        "jsonpath={.spec.podSelector.matchExpressions[0].values} {.spec.policyTypes} "
            + "{.spec.ingress[0].from[0].namespaceSelector.matchLabels} {.spec.ingress[0].ports[0].port}");

    assertThat(policy).isEqualTo("[\"agent\",\"operator\"] [\"Ingress\"] {\"kulp.io/scrape\":\"true\"} 8080");
    assertThat(kubectl("-n", "kulp-system", "get", "ds", "kulp-agent", "-o", "jsonpath={.spec.template.spec.hostNetwork}"))
        .as("a host-network pod would escape the policy").isEmpty();
  }

  @Test
  void theDaemonSetRunsOnEveryNodeWithHostPidAndNoPrivilegedMode() {
    String ds = kubectl("-n", "kulp-system", "get", "ds", "kulp-agent", "-o",
        "jsonpath={.spec.template.spec.hostPID} {.spec.template.spec.tolerations[0].operator} "
            + "{.spec.template.spec.containers[0].securityContext.privileged} "
            + "{.spec.template.spec.containers[0].securityContext.capabilities.add} "
            + "{.spec.template.spec.containers[0].resources.limits.memory}");

    assertThat(ds).isEqualTo("true Exists false [\"SYS_PTRACE\",\"DAC_OVERRIDE\"] 192Mi");
  }

  @Test
  void peopleReadLivePatchesThroughKulpViewAndCreateThemOnlyThroughKulpEdit() {
    kubectl("create", "clusterrolebinding", "viewer-kulp", "--clusterrole=kulp-view", "--user=viewer");
    kubectl("create", "clusterrolebinding", "platform-kulp", "--clusterrole=kulp-edit", "--user=platform");

    assertThat(can("viewer", "list", "livepatches.kulp.io")).isTrue();
    assertThat(can("viewer", "get", "livepatchnodes.kulp.io")).isTrue();
    assertThat(can("viewer", "create", "livepatches.kulp.io")).isFalse();
    assertThat(can("platform", "create", "livepatches.kulp.io")).isTrue();
    assertThat(can("platform", "delete", "livepatches.kulp.io")).isTrue();
    assertThat(can("platform", "update", "livepatchnodes.kulp.io")).as("the operator's alone").isFalse();
    assertThat(can("platform", "create", "pods")).isFalse();
    // Neither is aggregated into the built-in roles (the aggregation controller does not run here):
    // process records of every tenant, and code in any targeted process, are not a namespace's.
    assertThat(kubectl("get", "clusterrole", "kulp-view", "kulp-edit", "-o", "jsonpath={.items[*].metadata.labels}"))
        .doesNotContain("aggregate-to");
  }

  @Test
  void theAgentsRunOnlyOnNodesTheyCanServeAndADrainKeepsAnOperatorReplica() {
    assertThat(kubectl("-n", "kulp-system", "get", "ds", "kulp-agent", "-o", "jsonpath={.spec.template.spec.nodeSelector}"))
        .isEqualTo("{\"kubernetes.io/arch\":\"amd64\",\"kubernetes.io/os\":\"linux\"}");
    assertThat(kubectl("-n", "kulp-system", "get", "pdb", "kulp-operator", "-o", "jsonpath={.spec.minAvailable}"))
        .isEqualTo("1");
    assertThat(kubectl("-n", "kulp-system", "get", "deploy", "kulp-operator", "-o",
        "jsonpath={.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
            + ".podAffinityTerm.topologyKey}")).isEqualTo("kubernetes.io/hostname");
    assertThat(kubectl("-n", "kulp-system", "get", "ds,deploy,sa,pdb", "-l", "app.kubernetes.io/part-of=kulp",
        "-o", "name").lines()).containsExactlyInAnyOrder("daemonset.apps/kulp-agent", "deployment.apps/kulp-operator",
        "serviceaccount/kulp-agent", "serviceaccount/kulp-operator", "poddisruptionbudget.policy/kulp-operator");
  }

  @Test
  void kubectlExplainDescribesTheFieldsOfTheApi() {
    // kubectl wraps the text at 80 columns
    assertThat(kubectl("explain", "livepatches.spec.rollout.nodeTimeout").replaceAll("\\s+", " "))
        .contains("How long a started node may take");
    assertThat(kubectl("explain", "livepatches.spec.rollout.failurePolicy.namespaceSelector").replaceAll("\\s+", " "))
        .contains("whose process failures count against this policy");
    assertThat(kubectl("explain", "livepatchnodes.status.records.startTime").replaceAll("\\s+", " "))
        .contains("clock ticks since boot");
    assertThat(kubectl("explain", "livepatches.status.unpatchedSinceComplete").replaceAll("\\s+", " "))
        .contains("the targeted containers that started after their node was done");
    assertThat(kubectl("explain", "livepatches.spec.target.podSelector.matchExpressions.operator")
        .replaceAll("\\s+", " ")).contains("DoesNotExist");
  }
}
