package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.CanarySpec;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real kube-apiserver enforces the LivePatch invariants through the CRD's CEL rules. */
@EnableKubeAPIServer(apiServerFlags = {"--bind-address", "127.0.0.1"})
class LivePatchCelValidationIT {

  static KubernetesClient client;
  private static int counter;

  @BeforeAll
  static void installCrds() {
    CrdResources.install(client, 60);
  }

  @Test
  void revertAllWithoutALibraryIsRejected() {
    assertRejected(spec -> {
      spec.action = Action.RevertAll;
      spec.library = null;
      spec.patch = null;
    }, "spec.action RevertAll needs spec.library.name");
  }

  @Test
  void applyWithoutAPatchIsRejected() {
    assertRejected(spec -> spec.patch = null,
        "spec.patch is required unless spec.action is RevertAll");
  }

  @Test
  void plainHttpToAnotherHostIsRejectedButLoopbackIsAccepted() {
    assertRejected(spec -> spec.patch.url = "http://patches.example/fix.so",
        "url must be https://, or http:// on loopback");
    client.resource(livePatch(spec -> spec.patch.url = "http://127.0.0.1:8080/fix.so")).create();
    client.resource(livePatch(spec -> spec.patch.url = "http://localhost/fix.so")).create();
  }

  @Test
  void maxConcurrentNodesMustBeAPositiveCountOrAPercentage() {
    assertRejected(spec -> spec.rollout.maxConcurrentNodes = new IntOrString(0),
        "maxConcurrentNodes must be an integer >= 1 or a percentage from 1% to 100%");
    assertRejected(spec -> spec.rollout.maxConcurrentNodes = new IntOrString("150%"),
        "maxConcurrentNodes must be an integer >= 1 or a percentage from 1% to 100%");
    client.resource(livePatch(spec -> spec.rollout.maxConcurrentNodes = new IntOrString("25%")))
        .create();
  }

  @Test
  void aCanaryPauseMustBeIndefiniteOrADuration() {
    assertRejected(spec -> {
      spec.rollout.canary = new CanarySpec();
      spec.rollout.canary.nodes = 1;
      spec.rollout.canary.pause = "five minutes";
    }, "pause must be Indefinite or a duration such as 30s, 10m or 1h30m");
    var ok = client.resource(livePatch(spec -> {
      spec.rollout.canary = new CanarySpec();
      spec.rollout.canary.nodes = 2;
    })).create();
    assertThat(ok.getSpec().rollout.canary.pause).isEqualTo("Indefinite");
  }

  @Test
  void aNodeTimeoutIsAPositiveDurationAndDefaultsToTenMinutes() {
    String message = "nodeTimeout must be a duration of at least 1s such as 90s, 10m or 1h30m";
    assertRejected(spec -> spec.rollout.nodeTimeout = "ten minutes", message);
    assertRejected(spec -> spec.rollout.nodeTimeout = "0s", message);
    assertRejected(spec -> spec.rollout.nodeTimeout = "0h0m", message);
    assertRejected(spec -> spec.rollout.nodeTimeout = "", message);
    assertThat(client.resource(livePatch(spec -> spec.rollout.nodeTimeout = "1h30m")).create()
        .getSpec().rollout.nodeTimeout).isEqualTo("1h30m");
    assertThat(client.resource(livePatch(spec -> {})).create().getSpec().rollout.nodeTimeout)
        .isEqualTo("10m");
  }

  @Test
  void aRollbackOnEveryNodeNamesTheNamespacesWhoseFailuresItBelieves() {
    assertRejected(spec -> {
      spec.rollout.failurePolicy = new FailurePolicy();
      spec.rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
    }, "onFailure RevertCompleted needs namespaceSelector");
    var ok = client.resource(livePatch(spec -> {
      spec.rollout.failurePolicy = new FailurePolicy();
      spec.rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
      spec.rollout.failurePolicy.namespaceSelector = new LabelSelectorBuilder()
          .addToMatchLabels("kubernetes.io/metadata.name", "platform").build();
    })).create();
    assertThat(ok.getSpec().rollout.failurePolicy.namespaceSelector.getMatchLabels())
        .containsEntry("kubernetes.io/metadata.name", "platform");
  }

  @Test
  void everyLabelSelectorOfALivePatchTakesOnlyKubernetesFourOperators() {
    String message = "supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"";
    assertRejected(spec -> spec.target.podSelector = selector("Equals"), message);
    assertRejected(spec -> spec.target.namespaceSelector = selector("in"), message);
    assertRejected(spec -> {
      spec.rollout.failurePolicy = new FailurePolicy();
      spec.rollout.failurePolicy.namespaceSelector = selector("Exist");
    }, message);
    for (String operator : new String[] {"In", "NotIn", "Exists", "DoesNotExist"}) {
      client.resource(livePatch(spec -> spec.target.podSelector = selector(operator))).create();
    }
  }

  private static LabelSelector selector(String operator) {
    boolean values = operator.equals("In") || operator.equals("NotIn");
    return new LabelSelectorBuilder().addNewMatchExpression().withKey("app").withOperator(operator)
        .withValues(values ? java.util.List.of("web") : java.util.List.of()).endMatchExpression().build();
  }

  @Test
  void aSpecChangeIsValidatedToo() {
    var lp = client.resource(livePatch(spec -> {})).create();
    assertThatThrownBy(() -> client.resources(LivePatch.class).withName(lp.getMetadata().getName())
        .edit(l -> {
          l.getSpec().patch.sha256 = "ABC";
          return l;
        })).isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getMessage())
            .contains("sha256 must be 64 lowercase hexadecimal characters"));
  }

  private static void assertRejected(Consumer<LivePatchSpec> change, String message) {
    var lp = livePatch(change);
    assertThatThrownBy(() -> client.resource(lp).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains(message);
        });
  }

  private static LivePatch livePatch(Consumer<LivePatchSpec> change) {
    var lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName("cel-" + (++counter)).build());
    var spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.library = new LibrarySpec();
    spec.library.name = "libfoo.so.1";
    spec.patch = new PatchSource();
    spec.patch.url = "https://patches.example/fix.so";
    spec.patch.sha256 = "c".repeat(64);
    spec.rollout = new RolloutSpec();
    change.accept(spec);
    lp.setSpec(spec);
    return lp;
  }
}
