package io.kulp.operator.testing;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.Map;

/** LivePatch objects for tests, scoped to one test's nodes. */
public final class TestLivePatches {

  public static final String SHA_A = "a".repeat(64);
  public static final String SHA_B = "b".repeat(64);

  private TestLivePatches() {}

  /** Apply SHA_A from a loopback URL to pods app=&lt;app&gt; on the scope's nodes. */
  public static LivePatch apply(String name, String scope, String app) {
    var lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    var spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", app).build();
    spec.target.nodeSelector = Map.of(FakeNodes.SCOPE_LABEL, scope);
    spec.library = new LibrarySpec();
    spec.library.name = "libfoo.so.1";
    spec.patch = new PatchSource();
    spec.patch.url = "http://127.0.0.1:8000/fix.so";
    spec.patch.sha256 = SHA_A;
    spec.rollout = new RolloutSpec();
    lp.setSpec(spec);
    return lp;
  }

  public static LivePatch withConcurrency(LivePatch lp, int nodes) {
    lp.getSpec().rollout.maxConcurrentNodes = new IntOrString(nodes);
    return lp;
  }
}
