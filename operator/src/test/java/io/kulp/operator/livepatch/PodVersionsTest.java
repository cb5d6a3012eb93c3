package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodVersionsTest {

  /** A cache holding {@code pods}, by namespace/name. */
  private static ClusterCaches cacheOf(Pod... pods) {
    return new ClusterCaches() {
      @Override
      public boolean synced() {
        return true;
      }

      @Override
      public TargetResolver.ClusterView view(TargetSpec target) {
        return new TargetResolver.ClusterView(List.of(pods), List.of(), List.of());
      }

      @Override
      public Pod pod(String namespace, String name) {
        return List.of(pods).stream().filter(p -> p.getMetadata().getNamespace().equals(namespace)
            && p.getMetadata().getName().equals(name)).findFirst().orElse(null);
      }
    };
  }

  private static Pod pod(String name, String uid, String resourceVersion) {
    return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withUid(uid)
        .withResourceVersion(resourceVersion).endMetadata().build();
  }

  private static MetadataList.Item listed(String name, String uid, String resourceVersion) {
    return new MetadataList.Item("shop", name, uid, resourceVersion, Map.of());
  }

  @Test
  void theCachesPodsStandForTheReadWhenItHoldsEachAtTheVersionReadOrLater() {
    Pod a = pod("a", "uid-a", "100");
    Pod b = pod("b", "uid-b", "250");

    var pods = PodVersions.inCache(List.of(listed("a", "uid-a", "100"), listed("b", "uid-b", "200")),
        cacheOf(a, b, pod("gone", "uid-gone", "90")));

    assertThat(pods).hasValueSatisfying(p -> assertThat(p).containsExactly(a, b));
  }

  @Test
  void aCacheWithoutAPodTheReadListsIsBehind() {
    assertThat(PodVersions.inCache(List.of(listed("a", "uid-a", "100"), listed("new", "uid-new", "300")),
        cacheOf(pod("a", "uid-a", "100")))).isEmpty();
  }

  @Test
  void aCacheHoldingAnOlderVersionOfAPodIsBehind() {
    assertThat(PodVersions.inCache(List.of(listed("a", "uid-a", "101")), cacheOf(pod("a", "uid-a", "100"))))
        .isEmpty();
  }

  @Test
  void aCacheHoldingAnotherPodOfTheSameNameIsBehind() {
    assertThat(PodVersions.inCache(List.of(listed("a", "uid-new", "100")), cacheOf(pod("a", "uid-old", "120"))))
        .isEmpty();
  }

  @Test
  void resourceVersionsCompareAsIntegersAndOthersOnlyForEquality() {
    assertThat(PodVersions.atLeast("1000", "999")).isTrue();
    assertThat(PodVersions.atLeast("999", "1000")).isFalse();
    assertThat(PodVersions.atLeast("abc", "abc")).isTrue();
    assertThat(PodVersions.atLeast("abd", "abc")).isFalse();
    assertThat(PodVersions.atLeast(null, "1")).isFalse();
  }

  @Test
  void aSelectorIsWrittenAsTheApiServersLabelSelectorParameter() {
    var selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web"))
        .addNewMatchExpression().withKey("tier").withOperator("In").withValues("a", "b").endMatchExpression()
        .addNewMatchExpression().withKey("env").withOperator("NotIn").withValues("dev").endMatchExpression()
        .addNewMatchExpression().withKey("kulp").withOperator("Exists").endMatchExpression()
        .addNewMatchExpression().withKey("legacy").withOperator("DoesNotExist").endMatchExpression()
        .build();

    assertThat(LabelSelectors.asQuery(selector))
        .isEqualTo("app=web,tier in (a,b),env notin (dev),kulp,!legacy");
    assertThat(LabelSelectors.asQuery((io.fabric8.kubernetes.api.model.LabelSelector) null)).isEmpty();
    assertThat(LabelSelectors.asQuery(Map.of("zone", "a"))).isEqualTo("zone=a");
    assertThat(LabelSelectors.asQuery((Map<String, String>) null)).isEmpty();
  }
}
