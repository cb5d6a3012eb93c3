package io.kulp.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.KulpConstants;
import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ConfigMapKeyReference;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;

/** LivePatches, their patch ConfigMaps, and waits on their status, for the end-to-end tests. */
final class E2ELivePatches {
  static final String LIBRARY = "libkfix.so.1";
  static final String KEY = "patch.so";
  static final Duration ROLLOUT = Duration.ofSeconds(90);

  private final KubernetesClient client;

  E2ELivePatches(KubernetesClient client) {
    this.client = client;
  }

  /** A ConfigMap {@code name} in the test namespace holding {@code patch} under key patch.so; its sha256. */
  String configMap(String name, Path patch) {
    try {
      byte[] bytes = Files.readAllBytes(patch);
      client.resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(E2EEnvironment.PATCHES_NAMESPACE)
          .endMetadata().withBinaryData(Map.of(KEY, Base64.getEncoder().encodeToString(bytes))).build()).create();
      return Sha256.of(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A LivePatch for the pods app=&lt;app&gt; on every e2e node, all nodes at once. */
  static LivePatch livePatch(String name, String app, Action action, Mode mode, String configMap, String sha256) {
    LivePatch lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    LivePatchSpec spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", app).build();
    spec.target.nodeSelector = Map.of("kulp-e2e", "true");
    spec.library = new LibrarySpec();
    spec.library.name = LIBRARY;
    spec.action = action;
    spec.mode = mode;
    if (configMap != null) {
      spec.patch = new PatchSource();
      spec.patch.configMapRef = new ConfigMapKeyReference();
      spec.patch.configMapRef.namespace = E2EEnvironment.PATCHES_NAMESPACE;
      spec.patch.configMapRef.name = configMap;
      spec.patch.configMapRef.key = KEY;
      spec.patch.sha256 = sha256;
    }
    spec.rollout = new RolloutSpec();
    spec.rollout.maxConcurrentNodes = new IntOrString("100%");
    lp.setSpec(spec);
    return lp;
  }

  LivePatch create(LivePatch lp) {
    return client.resource(lp).create();
  }

  LivePatch get(String name) {
    return client.resources(LivePatch.class).withName(name).get();
  }

  /** The LivePatchNodes of a LivePatch. */
  List<LivePatchNode> nodes(String livePatch) {
    return client.resources(LivePatchNode.class).withLabel(KulpConstants.LABEL_LIVEPATCH, livePatch).list().getItems();
  }

  /**
   * Waits until the LivePatch's condition {@code type} is True for its current generation, with
   * {@code nodes} nodes targeted (the operator confirms the targets against the API server before
   * completing, see docs/api.md; the count keeps a wrong completion from passing unnoticed).
   */
  LivePatch awaitCondition(String name, String type, int nodes, Supplier<String> logs) {
    try {
      await("LivePatch " + name + " " + type).atMost(ROLLOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> conditionTrue(get(name), type) && get(name).getStatus().nodes != null
              && get(name).getStatus().nodes.targeted == nodes);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("LivePatch " + name + " is not " + type + ": " + Serialization.asYaml(get(name))
          + "\nLivePatchNodes: " + Serialization.asYaml(nodes(name)) + "\n" + logs.get(), e);
    }
    return get(name);
  }

  static boolean conditionTrue(LivePatch lp, String type) {
    return lp != null && lp.getStatus() != null
        && lp.getMetadata().getGeneration().equals(lp.getStatus().observedGeneration)
        && lp.getStatus().conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Changes the spec of a LivePatch, as `kubectl edit` or a GitOps commit would. */
  void editSpec(String name, java.util.function.Consumer<LivePatchSpec> change) {
    client.resources(LivePatch.class).withName(name).edit(lp -> {
      change.accept(lp.getSpec());
      return lp;
    });
  }

  void delete(String name) {
    client.resources(LivePatch.class).withName(name).delete();
  }

  void awaitGone(String name) {
    await("LivePatch " + name + " gone").atMost(ROLLOUT).pollInterval(Duration.ofMillis(250))
        .until(() -> get(name) == null);
  }
}
