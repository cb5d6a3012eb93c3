package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ConfigMapKeyReference;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kulp on a real node, as a user runs it: the node of deploy/dev/node-up.sh (a real kubelet,
 * containerd and runc), kulp installed with {@code kubectl apply -k} from its images (operator
 * Deployment and agent DaemonSet as pods), and the demo's auth-service as a workload pod. A
 * LivePatch created through the API patches the running service (its own output changes); deleting
 * the LivePatch reverts it. Everything goes through the API server: the test never touches the
 * processes.
 */
class RealNodeE2E {
  static final String GRANTED = "password \"\": granted";
  static final String DENIED = "password \"\": denied ";
  static final Duration OUTPUT = Duration.ofSeconds(30);

  private static RealNode node;

  @BeforeAll
  static void upWithKulp() throws Exception {
    Path repo = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
    node = RealNode.upWithKulp(repo);
    node.importImages(AuthServiceImage.write(repo, Files.createDirectories(Path.of("target", "e2e-images"))));
  }

  @AfterAll
  static void down() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aLivePatchThroughTheApiChangesTheServicesOutputAndDeletingItRevertsIt() {
    String namespace = "real-node-preloaded";
    KubernetesClient client = node.client();
    try {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .serverSideApply();
      Pod pod = servicePod(namespace, "auth-service-preloaded", AuthServiceImage.REFERENCE);
      pod.getSpec().getContainers().get(0).getEnv().add(new EnvVar("LD_PRELOAD", AuthServiceImage.LIBPULP, null));
      client.resource(pod).create();
      patchesAndReverts(client, namespace, "auth-service-preloaded");
    } finally {
      client.namespaces().withName(namespace).delete();
    }
  }

  @Test
  void aPodOfALabelledNamespaceGetsTheRuntimeFromTheWebhookAndIsPatched() {
    String namespace = "real-node-injected";
    KubernetesClient client = node.client();
    try {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
          .addToLabels(Map.of("kulp.io/inject", "enabled")).endMetadata().build()).serverSideApply();
      Pod created = client.resource(servicePod(namespace, "auth-service-injected", AuthServiceImage.PLAIN_REFERENCE))
          .create();
      assertThat(created.getSpec().getInitContainers()).as("the init container the webhook adds")
          .extracting(Container::getImage).singleElement().asString().startsWith("ghcr.io/kulp-io/kulp-runtime:");
      assertThat(created.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName).contains("LD_PRELOAD");
      patchesAndReverts(client, namespace, "auth-service-injected");
    } finally {
      client.namespaces().withName(namespace).delete();
    }
  }

  /** The service grants an empty password; a LivePatch makes it deny one; deleting it grants again. */
  private static void patchesAndReverts(KubernetesClient client, String namespace, String app) {
    awaitLastLine(client, namespace, app, GRANTED, "the service runs and grants an empty password");
    E2ELivePatches livePatches = new E2ELivePatches(client);
    try {
      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(livePatch(app, app, sha));
      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      assertThat(done.getStatus().processes.patched).isEqualTo(1);
      awaitLastLine(client, namespace, app, DENIED, "the patched service denies an empty password");

      livePatches.delete(app);
      livePatches.awaitGone(app);
      awaitLastLine(client, namespace, app, GRANTED, "the reverted service grants an empty password again");
    } finally {
      client.resources(LivePatch.class).withName(app).delete();
      client.configMaps().inNamespace(E2EEnvironment.PATCHES_NAMESPACE).withName(app).delete();
    }
  }

  /** auth-service, pod {@code name} labelled app={@code name}, with nothing of kulp in its spec. */
  private static Pod servicePod(String namespace, String name, String image) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", name)
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage(image)
        .withImagePullPolicy("Never").withCommand(AuthServiceImage.SERVICE).endContainer()
        .withTerminationGracePeriodSeconds(1L).endSpec().build();
  }

  /** The CVE-2026-4242 fix for the pods app={@code app}, all nodes at once. */
  private static LivePatch livePatch(String name, String app, String sha256) {
    LivePatch lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    LivePatchSpec spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", app).build();
    spec.library = new LibrarySpec();
    spec.library.name = AuthServiceImage.LIBRARY;
    spec.patch = new PatchSource();
    spec.patch.configMapRef = new ConfigMapKeyReference();
    spec.patch.configMapRef.namespace = E2EEnvironment.PATCHES_NAMESPACE;
    spec.patch.configMapRef.name = name;
    spec.patch.configMapRef.key = E2ELivePatches.KEY;
    spec.patch.sha256 = sha256;
    spec.action = Action.Apply;
    spec.mode = Mode.OneShot;
    spec.rollout = new RolloutSpec();
    spec.rollout.maxConcurrentNodes = new IntOrString("100%");
    lp.setSpec(spec);
    return lp;
  }

  /** Waits until the newest line the service printed (its log, read through the kubelet) contains {@code text}. */
  private static void awaitLastLine(KubernetesClient client, String namespace, String pod, String text, String what) {
    try {
      await(what).atMost(OUTPUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> lastLine(client, namespace, pod).contains(text));
    } catch (ConditionTimeoutException e) {
      String last;
      try {
        last = lastLine(client, namespace, pod);
      } catch (RuntimeException noLog) {
        last = "(no log: " + noLog.getMessage() + ")";
      }
      throw new AssertionError(what + ": the service's last line is not '" + text + "' but '" + last + "'\n"
          + node.kulpLogs(), e);
    }
  }

  private static String lastLine(KubernetesClient client, String namespace, String pod) {
    List<String> lines = client.pods().inNamespace(namespace).withName(pod).tailingLines(1).getLog().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
