package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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
    server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withApiServerFlags(List.of("--bind-address", "127.0.0.1")).build());
    server.start();
    kubeconfig = Files.createTempFile("kulp-deploy-it", ".kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    kubectl("apply", "--server-side", "-k", REPO.resolve("deploy").toString());
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> kubectl("get", "crd", "livepatches.kulp.io", "-o", "jsonpath={.status.conditions[?(@.type=='Established')].status}")
            .equals("True"));
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
    assertThat(can(AGENT, "get", "configmaps")).isTrue();

    assertThat(can(AGENT, "patch", "livepatchnodes.kulp.io")).isFalse();
    assertThat(can(AGENT, "update", "livepatchnodes.kulp.io/status")).isFalse();
    assertThat(can(AGENT, "delete", "livepatchnodes.kulp.io")).isFalse();
    assertThat(can(AGENT, "get", "livepatches.kulp.io")).isFalse();
    assertThat(can(AGENT, "list", "configmaps")).isFalse();
    assertThat(can(AGENT, "get", "secrets")).isFalse();
    assertThat(can(AGENT, "create", "pods")).isFalse();
    assertThat(can(AGENT, "create", "events")).isFalse();
  }

  @Test
  void theOperatorMayWriteLivePatchNodesButNotPodsOrSecrets() {
    assertThat(can(OPERATOR, "create", "livepatchnodes.kulp.io")).isTrue();
    assertThat(can(OPERATOR, "patch", "livepatches.kulp.io/status")).isTrue();
    assertThat(can(OPERATOR, "list", "nodes")).isTrue();
    assertThat(E2EEnvironment.kubectlExit(REPO, kubeconfig, "auth", "can-i", "--as=" + OPERATOR, "-n", "kulp-system",
        "update", "leases.coordination.k8s.io")).isZero();

    assertThat(can(OPERATOR, "patch", "livepatchnodes.kulp.io/status")).isFalse();
    assertThat(can(OPERATOR, "update", "livepatches.kulp.io")).isTrue();
    assertThat(can(OPERATOR, "delete", "livepatches.kulp.io")).isFalse();
    assertThat(can(OPERATOR, "delete", "pods")).isFalse();
    assertThat(can(OPERATOR, "get", "secrets")).isFalse();
    assertThat(can(OPERATOR, "get", "configmaps")).isFalse();
    assertThat(can(OPERATOR, "update", "leases.coordination.k8s.io")).as("leases outside kulp-system").isFalse();
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
  void theDaemonSetRunsOnEveryNodeWithHostPidAndNoPrivilegedMode() {
    String ds = kubectl("-n", "kulp-system", "get", "ds", "kulp-agent", "-o",
        "jsonpath={.spec.template.spec.hostPID} {.spec.template.spec.tolerations[0].operator} "
            + "{.spec.template.spec.containers[0].securityContext.privileged} "
            + "{.spec.template.spec.containers[0].securityContext.capabilities.add} "
            + "{.spec.template.spec.containers[0].resources.limits.memory}");

    assertThat(ds).isEqualTo("true Exists false [\"SYS_PTRACE\",\"DAC_OVERRIDE\"] 192Mi");
  }
}
