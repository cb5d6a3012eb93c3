package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.TargetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves that the tests get a real kube-apiserver (built by deploy/dev/kube-test-binaries.sh):
 * the generated CRDs install, the server applies their defaults and CEL rules, and server-side
 * apply tracks field managers.
 */
@EnableKubeAPIServer(apiServerFlags = {"--bind-address", "127.0.0.1"})
class KubeApiServerSmokeIT {

  static KubernetesClient client;

  private static final String SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @BeforeAll
  static void installCrds() {
    CrdResources.install(client, 60);
  }

  @Test
  void theServerIsARealKubeApiServerOfTheBuiltVersion() {
    var version = client.getKubernetesVersion();
    assertThat(version.getGitVersion()).matches("v1\\.\\d+\\.\\d+");
    assertThat(client.namespaces().withName("default").get()).isNotNull();
  }

  @Test
  void aValidLivePatchIsAcceptedAndTheServerFillsInTheSchemaDefaults() {
    client.resource(livePatch("smoke-valid", SHA)).create();

    LivePatch stored = client.resources(LivePatch.class).withName("smoke-valid").get();
    assertThat(stored.getSpec().action).isEqualTo(Action.Apply);
    assertThat(stored.getSpec().mode).isEqualTo(Mode.OneShot);
    assertThat(stored.getSpec().patch.sha256).isEqualTo(SHA);
  }

  @Test
  void anInvalidDigestIsRejectedByTheServersCelRuleWithItsMessage() {
    var bad = livePatch("smoke-bad-digest", "not-a-digest");

    assertThatThrownBy(() -> client.resource(bad).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains("spec.patch.sha256")
              .contains("sha256 must be 64 lowercase hexadecimal characters");
        });
    assertThat(client.resources(LivePatch.class).withName("smoke-bad-digest").get()).isNull();
  }

  @Test
  void twoPatchSourcesAreRejectedByTheServersCelRuleWithItsMessage() {
    var bad = livePatch("smoke-two-sources", SHA);
    bad.getSpec().patch.configMapRef = new io.kulp.api.v1alpha1.ConfigMapKeyReference();
    bad.getSpec().patch.configMapRef.namespace = "default";
    bad.getSpec().patch.configMapRef.name = "patches";
    bad.getSpec().patch.configMapRef.key = "fix.so";

    assertThatThrownBy(() -> client.resource(bad).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getMessage())
            .contains("exactly one patch source must be set: configMapRef or url"));
  }

  @Test
  void serverSideApplyMergesByFieldManagerAndReportsConflicts() {
    var mine = livePatch("smoke-ssa", SHA);
    client.resource(mine).fieldManager("smoke-owner").serverSideApply();

    // A second manager that changes a field owned by the first one gets a conflict...
    var theirs = livePatch("smoke-ssa", SHA.replace('0', 'f'));
    assertThatThrownBy(() -> client.resource(theirs).fieldManager("smoke-intruder").serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));

    // ...unless it forces, and then the server records it as the new owner.
    client.resource(theirs).fieldManager("smoke-intruder").forceConflicts().serverSideApply();
    LivePatch stored = client.resources(LivePatch.class).withName("smoke-ssa").get();
    assertThat(stored.getSpec().patch.sha256).isEqualTo(SHA.replace('0', 'f'));
    assertThat(stored.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
        .contains("smoke-owner", "smoke-intruder");
  }

  private static LivePatch livePatch(String name, String sha256) {
    var lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    var spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
    spec.library = new LibrarySpec();
    spec.library.name = "libcrypto.so.3";
    spec.patch = new PatchSource();
    spec.patch.url = "https://patches.example/fix.so";
    spec.patch.sha256 = sha256;
    lp.setSpec(spec);
    return lp;
  }
}
