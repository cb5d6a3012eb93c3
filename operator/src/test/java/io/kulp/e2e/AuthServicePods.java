package io.kulp.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ConfigMapKeyReference;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The demo's auth-service as pods of the real node, the LivePatches for it, and what it prints,
 * read through the API server (the kubelet's container log). Twice a second the service prints
 * whether an empty password is granted: CVE-2026-4242, which the patch fixes.
 */
final class AuthServicePods {
  static final String GRANTED = "password \"\": granted";
  static final String DENIED = "password \"\": denied ";
  static final Duration OUTPUT = Duration.ofSeconds(30);

  private final RealNode node;
  private final KubernetesClient client;

  AuthServicePods(RealNode node) {
    this.node = node;
    this.client = node.client();
  }

  void createNamespace(String namespace, Map<String, String> labels) {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).addToLabels(labels).endMetadata()
        .build()).serverSideApply();
  }

  void deleteNamespace(String namespace) {
    client.namespaces().withName(namespace).delete();
  }

  /** auth-service, pod {@code name} labelled app={@code app}, with nothing of kulp in its spec. */
  static Pod pod(String namespace, String name, String app, String image) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", app)
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage(image)
        .withImagePullPolicy("Never").withCommand(AuthServiceImage.SERVICE).endContainer()
        .withTerminationGracePeriodSeconds(1L).endSpec().build();
  }

  /** As {@link #pod}, from the image with libpulp.so, preloaded by {@code LD_PRELOAD}. */
  static Pod preloadedPod(String namespace, String name, String app) {
    Pod pod = pod(namespace, name, app, AuthServiceImage.REFERENCE);
    pod.getSpec().getContainers().get(0).getEnv().add(new EnvVar("LD_PRELOAD", AuthServiceImage.LIBPULP, null));
    return pod;
  }

  Pod create(Pod pod) {
    return client.resource(pod).create();
  }

  /**
   * A LivePatch of libauth.so.1 for the pods app={@code app}, all nodes at once: with the
   * CVE-2026-4242 fix of ConfigMap {@code name} (digest {@code sha256}), or none for RevertAll.
   */
  static LivePatch livePatch(String name, String app, Action action, Mode mode, String sha256) {
    LivePatch lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    LivePatchSpec spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", app).build();
    spec.target.containers = List.of("app");
    spec.library = new LibrarySpec();
    spec.library.name = AuthServiceImage.LIBRARY;
    if (sha256 != null) {
      spec.patch = new PatchSource();
      spec.patch.configMapRef = new ConfigMapKeyReference();
      spec.patch.configMapRef.namespace = E2EEnvironment.PATCHES_NAMESPACE;
      spec.patch.configMapRef.name = name;
      spec.patch.configMapRef.key = E2ELivePatches.KEY;
      spec.patch.sha256 = sha256;
    }
    spec.action = action;
    spec.mode = mode;
    spec.rollout = new RolloutSpec();
    spec.rollout.maxConcurrentNodes = new IntOrString("100%");
    lp.setSpec(spec);
    return lp;
  }

  /** Waits until the newest line the service printed in pod {@code pod}'s current container contains {@code text}. */
  void awaitLastLine(String namespace, String pod, String text, String what) {
    try {
      await(what).atMost(OUTPUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> lastLine(namespace, pod).contains(text));
    } catch (ConditionTimeoutException e) {
      String last;
      try {
        last = lastLine(namespace, pod);
      } catch (RuntimeException noLog) {
        last = "(no log: " + noLog.getMessage() + ")";
      }
      throw new AssertionError(what + ": the service's last line in " + namespace + "/" + pod + " is not '" + text
          + "' but '" + last + "'\n" + node.kulpLogs(), e);
    }
  }

  String lastLine(String namespace, String pod) {
    List<String> lines = client.pods().inNamespace(namespace).withName(pod).tailingLines(1).getLog().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
