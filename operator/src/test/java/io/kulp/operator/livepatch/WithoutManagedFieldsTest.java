package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import org.junit.jupiter.api.Test;

class WithoutManagedFieldsTest {

  @Test
  void keepsTheObjectWholeExceptItsManagedFields() {
    var store = new WithoutManagedFields<LivePatchNode>();
    var lpn = new LivePatchNode();
    lpn.setMetadata(new ObjectMetaBuilder().withName("lp.n1").withResourceVersion("5")
        .addToLabels("kulp.io/node", "n1")
        .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kulp-operator").build(),
            new ManagedFieldsEntryBuilder().withManager("kulp-agent").build())
        .build());
    lpn.setSpec(new LivePatchNodeSpec());
    lpn.getSpec().nodeName = "n1";

    store.put(store.getKey(lpn), lpn);

    LivePatchNode kept = store.get("lp.n1");
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("5");
    assertThat(kept.getMetadata().getLabels()).containsEntry("kulp.io/node", "n1");
    assertThat(kept.getSpec().nodeName).isEqualTo("n1");
  }
}
