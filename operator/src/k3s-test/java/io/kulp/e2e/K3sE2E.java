package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.Engine;
import io.kulp.host.ContainerId;
import io.kulp.host.ContainerProcess;
import io.kulp.host.HostContainerProcesses;
import io.kulp.host.HostPaths;
import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.DockerCli;
import io.kulp.testing.docker.ScratchImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * deploy/ on a real single-node k3s (Testcontainers): the operator and agent images built from
 * deploy/images, loaded into k3s's containerd, installed with the kustomize base, and a LivePatch
 * applied to a kfix-driver pod that the real kubelet runs with LD_PRELOAD=libpulp.so.
 *
 * <p>Opt-in (profile k3s), because it needs Docker Hub (rancher/k3s and the JRE base image):
 * <pre>mvn -B -Pk3s -pl node-agent/agent,operator -am verify -Dit.test=K3sE2E</pre>
 * The image can be changed with -Dkulp.k3s.image=rancher/k3s:TAG.
 */
class K3sE2E {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String TAG = "k3s-e2e";
  private static final String K3S_IMAGE = System.getProperty("kulp.k3s.image", "rancher/k3s:v1.31.4-k3s1");

  @Test
  void deployInstalledWithKustomizeLivePatchesAPodThatTheKubeletRuns() throws Exception {
    DockerCli.run("build", "-f", REPO.resolve("deploy/images/agent/Dockerfile").toString(), "-t", "kulp-agent:" + TAG,
        REPO.toString());
    DockerCli.run("build", "-f", REPO.resolve("deploy/images/operator/Dockerfile").toString(), "-t",
        "kulp-operator:" + TAG, REPO.toString());
    try (ScratchImage kfix = ScratchImage.builder("k3s-kfix")
            .add(Fixtures.fixture("kfix-driver"), KfixWorkload.DRIVER)
            .add(Fixtures.library(), "/usr/bin/libkfix.so.1")
            .add(Fixtures.libpulp(), KfixWorkload.LIBPULP)
            .directory("/tmp")
            .build();
        K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE))) {
      k3s.start();
      Path images = Files.createDirectories(Path.of("target", "k3s")).resolve("images.tar").toAbsolutePath();
      DockerCli.run("save", "-o", images.toString(), "kulp-agent:" + TAG, "kulp-operator:" + TAG, kfix.reference());
      k3s.copyFileToContainer(MountableFile.forHostPath(images), "/tmp/images.tar");
      var imported = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/images.tar");
      assertThat(imported.getExitCode()).as(imported.getStderr()).isZero();

      Path kubeconfig = Files.writeString(Path.of("target", "k3s", "kubeconfig").toAbsolutePath(),
          k3s.getKubeConfigYaml());
      Path overlay = overlay();
      E2EEnvironment.kubectl(REPO, kubeconfig, "apply", "--server-side", "-k", overlay.toString());
      E2EEnvironment.kubectl(REPO, kubeconfig, "-n", "kulp-system", "rollout", "status", "ds/kulp-agent",
          "--timeout=180s");
      E2EEnvironment.kubectl(REPO, kubeconfig, "-n", "kulp-system", "rollout", "status", "deploy/kulp-operator",
          "--timeout=180s");

      try (KubernetesClient client = new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
          Engine engine = new Engine(Engine.Options.defaults())) {
        client.nodes().list().getItems().forEach(n -> client.nodes().withName(n.getMetadata().getName())
            .edit(x -> {
              x.getMetadata().getLabels().put("kulp-e2e", "true");
              return x;
            }));
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(E2EEnvironment.NAMESPACE)
            .endMetadata().build()).create();
        client.resource(new PodBuilder().withNewMetadata().withName("kfix").withNamespace(E2EEnvironment.NAMESPACE)
            .addToLabels("app", "k3s").endMetadata().withNewSpec().addNewContainer().withName("app")
            .withImage(kfix.reference()).withImagePullPolicy("Never").withCommand(KfixWorkload.DRIVER)
            .withStdin(true).addNewEnv().withName("LD_PRELOAD").withValue(KfixWorkload.LIBPULP).endEnv()
            .endContainer().endSpec().build()).create();
        client.pods().inNamespace(E2EEnvironment.NAMESPACE).withName("kfix")
            .waitUntilReady(180, java.util.concurrent.TimeUnit.SECONDS);

        E2ELivePatches livePatches = new E2ELivePatches(client);
        String sha = livePatches.configMap("k3s-v2", Fixtures.patch("value_v2"));
        livePatches.create(E2ELivePatches.livePatch("k3s", "k3s", Action.Apply, Mode.OneShot, "k3s-v2", sha));
        LivePatch done = livePatches.awaitCondition("k3s", KulpConstants.CONDITION_COMPLETE, 1,
            () -> E2EEnvironment.kubectl(REPO, kubeconfig, "-n", "kulp-system", "logs", "ds/kulp-agent"));

        assertThat(done.getStatus().processes.patched).isEqualTo(1);
        LivePatchNode lpn = livePatches.nodes("k3s").get(0);
        assertThat(lpn.getStatus().records).extracting(r -> r.result).containsExactly(ProcessResult.Applied);
        // Seen from this host, the pod's process (inside k3s's containerd) carries the patch.
        Pod pod = client.pods().inNamespace(E2EEnvironment.NAMESPACE).withName("kfix").get();
        String containerId = pod.getStatus().getContainerStatuses().get(0).getContainerID();
        List<ContainerProcess> processes = new HostContainerProcesses(HostPaths.system()).find(ContainerId.parse(containerId));
        String patchId = PatchContainer.read(Fixtures.patch("value_v2")).apply().id().hex();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(engine.patches(processes.get(0).hostPid())).extracting(p -> p.id()).containsExactly(patchId));
      }
    }
  }

  /** A kustomize overlay of deploy/ that uses the images just loaded, never pulling them. */
  private static Path overlay() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "k3s", "overlay").toAbsolutePath());
    String base = dir.relativize(REPO.resolve("deploy")).toString();
    Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources: [" + base + "]",
        "images:",
        "  - {name: ghcr.io/kulp-io/kulp-agent, newName: docker.io/library/kulp-agent, newTag: " + TAG + "}",
        "  - {name: ghcr.io/kulp-io/kulp-operator, newName: docker.io/library/kulp-operator, newTag: " + TAG + "}",
        "patches:",
        "  - target: {kind: DaemonSet, name: kulp-agent}",
        "    patch: '[{\"op\": \"add\", \"path\": \"/spec/template/spec/containers/0/imagePullPolicy\", \"value\": \"Never\"}]'",
        "  - target: {kind: Deployment, name: kulp-operator}",
        "    patch: '[{\"op\": \"add\", \"path\": \"/spec/template/spec/containers/0/imagePullPolicy\", \"value\": \"Never\"},"
            + " {\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 1}]'",
        ""));
    return dir;
  }
}
