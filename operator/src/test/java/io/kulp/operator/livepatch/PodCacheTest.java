package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodCacheTest {

  final PodCache cache = new PodCache();

  @Test
  void looksOnlyAtThePodsItsSelectorCanMatchHoweverManyOthersThereAre() {
    for (int others : List.of(100, 10_000)) {
      var cache = new PodCache();
      add(cache, pod("prod", "web-1", "n1", Map.of("app", "web", "tier", "front")));
      add(cache, pod("prod", "web-2", "n2", Map.of("app", "web", "tier", "front")));
      for (int i = 0; i < others; i++) {
        add(cache, pod("prod", "other-" + i, "n" + (i % 7), Map.of("app", "other-" + (i % 5),
            "tier", "front")));
      }
      var selector = new LabelSelectorBuilder().addToMatchLabels("tier", "front")
          .addToMatchLabels("app", "web").build();

      var matches = cache.matching(selector, null);

      assertThat(matches.pods()).extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("web-1", "web-2");
      assertThat(matches.visited()).as("pods looked at, with %d others", others).isEqualTo(2);
    }
  }

  @Test
  void usesTheUnionOfAnInExpressionOrOfTheSelectedNamespaces() {
    add(cache, pod("prod", "web", "n1", Map.of("app", "web")));
    add(cache, pod("prod", "api", "n1", Map.of("app", "api")));
    add(cache, pod("dev", "web", "n1", Map.of("app", "web")));
    for (int i = 0; i < 50; i++) {
      add(cache, pod("batch", "job-" + i, "n1", Map.of("app", "job")));
    }
    var in = new LabelSelectorBuilder().addNewMatchExpression().withKey("app").withOperator("In")
        .withValues("web", "api").endMatchExpression().build();
    var exists = new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
        .withOperator("Exists").endMatchExpression().build();

    var byIn = cache.matching(in, null);
    var byNamespace = cache.matching(exists, Set.of("prod", "dev"));

    assertThat(byIn.pods()).hasSize(3);
    assertThat(byIn.visited()).isEqualTo(3);
    assertThat(byNamespace.pods()).extracting(p -> p.getMetadata().getNamespace())
        .containsOnly("prod", "dev").hasSize(3);
    assertThat(byNamespace.visited()).isEqualTo(3);
  }

  @Test
  void looksAtEveryPodOnlyWhenNothingInTheSelectorsNarrowsTheSearch() {
    add(cache, pod("prod", "web", "n1", Map.of("app", "web")));
    add(cache, pod("prod", "db", "n1", Map.of("app", "db")));
    var notIn = new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
        .withOperator("NotIn").withValues("db").endMatchExpression().build();

    var matches = cache.matching(notIn, null);

    assertThat(matches.pods()).extracting(p -> p.getMetadata().getName()).containsExactly("web");
    assertThat(matches.visited()).isEqualTo(2);
    assertThat(cache.matching(null, null).pods()).hasSize(2);
  }

  @Test
  void keepsWhenEachRunningContainerStartedWhichTellsAContainerStartedAfterARollout() {
    Pod running = new PodBuilder(pod("prod", "web", "n1", Map.of("app", "web"))).editStatus()
        .editFirstContainerStatus().withNewState().withNewRunning().withStartedAt("2026-12-05T03:00:01Z")
        .endRunning().endState().endContainerStatus().endStatus().build();
    var status = PodSummary.of(running).toPod().getStatus().getContainerStatuses().get(0);
    assertThat(status.getContainerID()).isEqualTo("containerd://web");
    assertThat(status.getState().getRunning().getStartedAt()).isEqualTo("2026-12-05T03:00:01Z");
    assertThat(PodSummary.of(pod("prod", "web", "n1", Map.of())).toPod().getStatus().getContainerStatuses().get(0)
        .getState()).as("not running: no state kept").isNull();
  }

  @Test
  void followsLabelChangesAndRemovals() {
    add(cache, pod("prod", "web", "n1", Map.of("app", "web")));
    var web = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
    var db = new LabelSelectorBuilder().addToMatchLabels("app", "db").build();

    add(cache, pod("prod", "web", "n1", Map.of("app", "db")));

    assertThat(cache.matching(web, null).pods()).isEmpty();
    assertThat(cache.matching(db, null).pods()).hasSize(1);
    cache.remove("prod/web");
    assertThat(cache.matching(db, null).pods()).isEmpty();
    assertThat(cache.size()).isZero();
  }

  @Test
  void keepsWhatTargetingReadsAndNothingElse() {
    Pod full = new PodBuilder(pod("prod", "web", "n1", Map.of("app", "web")))
        .editMetadata().withUid("u1").withResourceVersion("7")
        .addToAnnotations("big", "x".repeat(10_000))
        .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubelet").build())
        .endMetadata()
        .editSpec().withServiceAccountName("sa").editFirstContainer().withImage("img")
        .addToArgs("--flag").endContainer().endSpec().build();

    cache.put("prod/web", full);
    Pod kept = cache.get("prod/web");

    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(kept.getSpec().getServiceAccountName()).isNull();
    assertThat(kept.getSpec().getContainers()).singleElement()
        .satisfies(c -> assertThat(c.getImage()).isNull());
    assertThat(ClusterEventFilters.podChangeMatters(full, kept)).as("same targeting fields").isFalse();
    var target = new TargetSpec();
    assertThat(new TargetResolver().resolve(target, clusterOf(List.of(kept))))
        .usingRecursiveComparison()
        .isEqualTo(new TargetResolver().resolve(target, clusterOf(List.of(full))));
  }

  @Test
  void handsOutReadOnlyPodsThatReadAsTheSummaryKept() {
    add(cache, pod("prod", "web", "n1", Map.of("app", "web")));

    Pod kept = cache.get("prod/web");

    assertThat(kept).isEqualTo(new PodBuilder(kept).build());
    assertThat(kept.getSpec().getNodeName()).isEqualTo("n1");
    assertThatThrownBy(() -> kept.setMetadata(null))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  private static TargetResolver.ClusterView clusterOf(List<Pod> pods) {
    List<Namespace> namespaces = List.of(new NamespaceBuilder().withNewMetadata().withName("prod")
        .endMetadata().build());
    List<Node> nodes = List.of(new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
        .build());
    return new TargetResolver.ClusterView(new ArrayList<>(pods), namespaces, nodes);
  }

  private static void add(PodCache cache, Pod pod) {
    cache.put(cache.getKey(pod), pod);
  }

  static Pod pod(String ns, String name, String node, Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels)
        .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("app")
        .endContainer().endSpec().withNewStatus().withPhase("Running").addNewContainerStatus()
        .withName("app").withContainerID("containerd://" + name).endContainerStatus().endStatus()
        .build();
  }
}
