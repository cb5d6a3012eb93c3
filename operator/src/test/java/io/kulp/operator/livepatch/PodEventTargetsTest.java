package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kulp.api.v1alpha1.LivePatch;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PodEventTargetsTest {

  final LivePatch web = livePatch("web", "app", "web");
  final LivePatch db = livePatch("db", "app", "db");
  final Map<String, Map<String, String>> namespaces = Map.of("prod", Map.of("env", "prod"),
      "dev", Map.of("env", "dev"));

  @Test
  void wakesOnlyTheLivePatchesWhoseSelectorsMatchThePod() {
    var pod = PodCacheTest.pod("prod", "web-1", "n1", Map.of("app", "web"));

    assertThat(targets(pod, Set.of())).containsExactly(new ResourceID("web"));
    assertThat(targets(PodCacheTest.pod("prod", "cache", "n1", Map.of("app", "cache")), Set.of()))
        .isEmpty();
  }

  @Test
  void appliesTheNamespaceSelectorWhenTheNamespaceIsKnown() {
    web.getSpec().target.namespaceSelector = new LabelSelectorBuilder()
        .addToMatchLabels("env", "prod").build();

    assertThat(targets(PodCacheTest.pod("dev", "web-1", "n1", Map.of("app", "web")), Set.of()))
        .isEmpty();
    assertThat(targets(PodCacheTest.pod("new", "web-1", "n1", Map.of("app", "web")), Set.of()))
        .as("a namespace the cache does not have yet").containsExactly(new ResourceID("web"));
  }

  @Test
  void wakesALivePatchWithANodeWhereThePodRunsEvenWhenThePodNoLongerMatches() {
    var relabelled = PodCacheTest.pod("prod", "web-1", "n1", Map.of("app", "other"));

    assertThat(targets(relabelled, Set.of("web/n1"))).containsExactly(new ResourceID("web"));
    assertThat(targets(relabelled, Set.of("web/n2"))).isEmpty();
  }

  private Set<ResourceID> targets(io.fabric8.kubernetes.api.model.Pod pod, Set<String> lpNodes) {
    return PodEventTargets.of(pod, Stream.of(web, db),
        ns -> Optional.ofNullable(namespaces.get(ns)),
        (lp, node) -> lpNodes.contains(lp + "/" + node));
  }

  private static LivePatch livePatch(String name, String key, String value) {
    var lp = new LivePatch();
    lp.setMetadata(new ObjectMetaBuilder().withName(name).build());
    lp.setSpec(Fixtures.spec());
    lp.getSpec().target.podSelector = new LabelSelectorBuilder().addToMatchLabels(key, value)
        .build();
    return lp;
  }
}
