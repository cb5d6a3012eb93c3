package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.awaitility.core.ConditionTimeoutException;
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
  static final String NAMESPACE = "real-node-e2e";
  static final String APP = "auth-service";
  static final String GRANTED = "password \"\": granted";
  static final String DENIED = "password \"\": denied ";
  static final Duration OUTPUT = Duration.ofSeconds(30);

  @Test
  void aLivePatchThroughTheApiChangesTheServicesOutputAndDeletingItRevertsIt() throws Exception {
    Path repo = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
    Path images = Files.createDirectories(Path.of("target", "e2e-images"));
    try (RealNode node = RealNode.upWithKulp(repo)) {
      KubernetesClient client = node.client();
      node.importImages(AuthServiceImage.write(repo, images));
      try {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
            .serverSideApply();
        client.resource(servicePod()).create();
        awaitLastLine(client, GRANTED, "the service runs and grants an empty password", node);

        E2ELivePatches livePatches = new E2ELivePatches(client);
        String sha = livePatches.configMap("real-node-cve-2026-4242", AuthServiceImage.FIX);
        livePatches.create(livePatch("cve-2026-4242", "real-node-cve-2026-4242", sha));
        LivePatch done = livePatches.awaitCondition("cve-2026-4242", KulpConstants.CONDITION_COMPLETE, 1,
            node::kulpLogs);
        assertThat(done.getStatus().processes.patched).isEqualTo(1);
        awaitLastLine(client, DENIED, "the patched service denies an empty password", node);

        livePatches.delete("cve-2026-4242");
        livePatches.awaitGone("cve-2026-4242");
        awaitLastLine(client, GRANTED, "the reverted service grants an empty password again", node);
      } finally {
        client.resources(LivePatch.class).withName("cve-2026-4242").delete();
        client.configMaps().inNamespace(E2EEnvironment.PATCHES_NAMESPACE).withName("real-node-cve-2026-4242").delete();
        client.namespaces().withName(NAMESPACE).delete();
      }
    }
  }

  /** auth-service with the runtime preloaded, as a workload that was onboarded by hand. */
  private static Pod servicePod() {
    return new PodBuilder().withNewMetadata().withName(APP).withNamespace(NAMESPACE).addToLabels("app", APP)
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage(AuthServiceImage.REFERENCE)
        .withImagePullPolicy("Never").withCommand(AuthServiceImage.SERVICE)
        .addNewEnv().withName("LD_PRELOAD").withValue(AuthServiceImage.LIBPULP).endEnv()
        .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build();
  }

  private static LivePatch livePatch(String name, String configMap, String sha256) {
    LivePatch lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    LivePatchSpec spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", APP).build();
    spec.library = new LibrarySpec();
    spec.library.name = AuthServiceImage.LIBRARY;
    spec.patch = new PatchSource();
    spec.patch.configMapRef = new ConfigMapKeyReference();
    spec.patch.configMapRef.namespace = E2EEnvironment.PATCHES_NAMESPACE;
    spec.patch.configMapRef.name = configMap;
    spec.patch.configMapRef.key = E2ELivePatches.KEY;
    spec.patch.sha256 = sha256;
    spec.action = Action.Apply;
    spec.mode = Mode.OneShot;
    spec.rollout = new RolloutSpec();
    spec.rollout.maxConcurrentNodes = new IntOrString("100%");
    lp.setSpec(spec);
    return lp;
  }

  /** Waits until the newest line the service printed (its log, read from the kubelet) contains {@code text}. */
  private static void awaitLastLine(KubernetesClient client, String text, String what, RealNode node) {
    try {
      await(what).atMost(OUTPUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> lastLine(client).contains(text));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + ": the service's last line is not '" + text + "' but '" + lastLineOrError(client)
          + "'\n" + node.kulpLogs(), e);
    }
  }

  private static String lastLine(KubernetesClient client) {
    List<String> lines = client.pods().inNamespace(NAMESPACE).withName(APP).tailingLines(1).getLog().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private static String lastLineOrError(KubernetesClient client) {
    try {
      return lastLine(client);
    } catch (RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
