package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kulp.api.v1alpha1.TargetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetResolverTest {

  final TargetResolver resolver = new TargetResolver();
  final List<Node> nodes = List.of(node("n1", "pool", "a"), node("n2", "pool", "b"));
  final List<Namespace> namespaces = List.of(ns("prod", "env", "prod"), ns("dev", "env", "dev"));

  @Test
  void groupsMatchingPodsByNodeWithTheirContainerIds() {
    var target = new TargetSpec();
    target.podSelector = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
    var pods = List.of(pod("prod", "web-2", "n1", "web", "Running"),
        pod("prod", "web-1", "n1", "web", "Running"), pod("prod", "db", "n2", "db", "Running"));

    var byNode = resolver.resolve(target, new TargetResolver.ClusterView(pods, namespaces, nodes));

    assertThat(byNode).containsOnlyKeys("n1");
    assertThat(byNode.get("n1")).extracting(p -> p.name).containsExactly("web-1", "web-2");
    assertThat(byNode.get("n1").get(0).containers).extracting(c -> c.name + "=" + c.containerID)
        .containsExactly("app=containerd://web-1-app", "sidecar=containerd://web-1-sidecar");
  }

  @Test
  void appliesNamespaceSelectorNodeSelectorAndContainerNames() {
    var target = new TargetSpec();
    target.namespaceSelector = new LabelSelectorBuilder().addNewMatchExpression().withKey("env")
        .withOperator("In").withValues("prod").endMatchExpression().build();
    target.nodeSelector = Map.of("pool", "b");
    target.containers = List.of("sidecar");
    var pods = List.of(pod("prod", "a", "n1", "web", "Running"), pod("prod", "b", "n2", "web", "Running"),
        pod("dev", "c", "n2", "web", "Running"));

    var byNode = resolver.resolve(target, new TargetResolver.ClusterView(pods, namespaces, nodes));

    assertThat(byNode).containsOnlyKeys("n2");
    assertThat(byNode.get("n2")).singleElement().satisfies(p -> {
      assertThat(p.name).isEqualTo("b");
      assertThat(p.containers).extracting(c -> c.name).containsExactly("sidecar");
    });
  }

  @Test
  void podsOutsideTheNamespacesWhoseFailuresCountAreMarkedSo() {
    var pods = List.of(pod("prod", "a", "n1", "web", "Running"), pod("dev", "b", "n1", "web", "Running"));
    var prodOnly = new LabelSelectorBuilder().addToMatchLabels("env", "prod").build();

    var byNode = resolver.resolve(new TargetSpec(), prodOnly,
        new TargetResolver.ClusterView(pods, namespaces, nodes));
    var everyNamespace = resolver.resolve(new TargetSpec(),
        new TargetResolver.ClusterView(pods, namespaces, nodes));

    assertThat(byNode.get("n1")).extracting(p -> p.namespace + "=" + p.countFailures)
        .containsExactly("dev=false", "prod=null");
    assertThat(everyNamespace.get("n1")).allSatisfy(p -> assertThat(p.countFailures).isNull());
  }

  @Test
  void skipsFinishedAndTerminatingPodsAndPodsOnUnknownNodes() {
    var terminating = pod("prod", "t", "n1", "web", "Running");
    terminating.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    var pods = List.of(pod("prod", "done", "n1", "web", "Succeeded"), terminating,
        pod("prod", "orphan", "n9", "web", "Running"));

    var byNode = resolver.resolve(new TargetSpec(), new TargetResolver.ClusterView(pods, namespaces, nodes));

    assertThat(byNode).isEmpty();
  }

  @Test
  void aContainerThatHasNotStartedHasNoContainerIdYet() {
    var pod = pod("prod", "new", "n1", "web", "Pending");
    pod.getStatus().setContainerStatuses(List.of());

    var byNode = resolver.resolve(new TargetSpec(),
        new TargetResolver.ClusterView(List.of(pod), namespaces, nodes));

    assertThat(byNode.get("n1").get(0).containers).allSatisfy(c -> assertThat(c.containerID).isNull());
  }

  @Test
  void labelSelectorOperatorsFollowKubernetesSemantics() {
    var labels = Map.of("tier", "web", "zone", "a");
    assertThat(LabelSelectors.matches(selector("tier", "NotIn", "db"), labels)).isTrue();
    assertThat(LabelSelectors.matches(selector("tier", "In", "db"), labels)).isFalse();
    assertThat(LabelSelectors.matches(selector("zone", "Exists"), labels)).isTrue();
    assertThat(LabelSelectors.matches(selector("gpu", "DoesNotExist"), labels)).isTrue();
    assertThat(LabelSelectors.matches(null, labels)).isTrue();
  }

  private static io.fabric8.kubernetes.api.model.LabelSelector selector(String key, String op,
      String... values) {
    return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(op)
        .withValues(values).endMatchExpression().build();
  }

  private static Node node(String name, String key, String value) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels(key, value).endMetadata()
        .build();
  }

  private static Namespace ns(String name, String key, String value) {
    return new NamespaceBuilder().withNewMetadata().withName(name).addToLabels(key, value)
        .endMetadata().build();
  }

  private static Pod pod(String ns, String name, String node, String app, String phase) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid("uid-" + name)
        .addToLabels("app", app).endMetadata()
        .withNewSpec().withNodeName(node)
        .addNewContainer().withName("sidecar").endContainer()
        .addNewContainer().withName("app").endContainer().endSpec()
        .withNewStatus().withPhase(phase)
        .addNewContainerStatus().withName("app").withContainerID("containerd://" + name + "-app")
        .endContainerStatus()
        .addNewContainerStatus().withName("sidecar")
        .withContainerID("containerd://" + name + "-sidecar").endContainerStatus()
        .endStatus().build();
  }
}
