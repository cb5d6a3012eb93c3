package io.kulp.operator.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.AgentLeases;
import io.kulp.api.KulpConstants;
import io.kulp.api.LabelValues;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Nodes and running pods as a kubelet would have reported them, written straight to the API
 * server (there is no kubelet or scheduler here). Everything is labelled with the test's scope so
 * that tests sharing a server do not see each other's objects.
 *
 * <p>Each node added has a live kulp agent: the Lease an agent renews ({@link AgentLeases}),
 * written here once with a long duration, unless the node is added without one
 * ({@link #addNodesWithoutAgent}) or its agent is stopped ({@link #stopAgent}). The
 * {@link FakeAgents} answer the LivePatchNodes either way; the operator should not start any on a
 * node without a live Lease.
 */
public final class FakeNodes {

  /** Label put on every node of a scope; LivePatches of that test use it as nodeSelector. */
  public static final String SCOPE_LABEL = "kulp-test/scope";

  private final KubernetesClient client;
  private final String scope;
  private final Map<String, String> createdAt = new java.util.concurrent.ConcurrentHashMap<>();

  public FakeNodes(KubernetesClient client, String scope) {
    this.client = client;
    this.scope = scope;
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(scope)
        .addToLabels(SCOPE_LABEL, scope).endMetadata().build()).serverSideApply();
  }

  /** The namespace of this scope's pods. */
  public String namespace() {
    return scope;
  }

  /** Node names are prefixed with the scope: {@code <scope>-<suffix>}. */
  public String node(String suffix) {
    return scope + "-" + suffix;
  }

  /** Adds these nodes, each with a live agent. */
  public void addNodes(String... suffixes) {
    addNodesWithoutAgent(suffixes);
    for (String s : suffixes) {
      startAgent(s);
    }
  }

  /** Adds these nodes with no kulp agent: no Lease announces one. */
  public void addNodesWithoutAgent(String... suffixes) {
    for (String s : suffixes) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node(s))
          .addToLabels(SCOPE_LABEL, scope).endMetadata().build()).create();
    }
  }

  /**
   * The agent of the node {@code <scope>-<suffix>} announces itself: its Lease, renewed now, for
   * an hour (no test outlives it, so nothing renews it).
   */
  public void startAgent(String suffix) {
    String node = node(suffix);
    client.resources(Lease.class).inNamespace(OperatorUnderTest.NAMESPACE).resource(new LeaseBuilder()
        .withNewMetadata().withName(AgentLeases.name(node))
        .withLabels(Map.of(KulpConstants.LABEL_COMPONENT, AgentLeases.COMPONENT,
            KulpConstants.LABEL_NODE, LabelValues.of(node)))
        .withAnnotations(Map.of(KulpConstants.ANNOTATION_NODE_NAME, node)).endMetadata()
        .withNewSpec().withHolderIdentity("fake-agent-" + node).withLeaseDurationSeconds(3600)
        .withRenewTime(AgentLeases.microTime(Instant.now())).endSpec().build())
        .forceConflicts().serverSideApply();
  }

  /** The agent of {@code <scope>-<suffix>} is gone: its Lease is deleted. */
  public void stopAgent(String suffix) {
    client.resources(Lease.class).inNamespace(OperatorUnderTest.NAMESPACE).withName(AgentLeases.name(node(suffix)))
        .delete();
  }

  /** Adds these nodes, each running one pod "web-&lt;suffix&gt;" (app=web) with a container "app". */
  public void addNodesEachRunningWeb(String... suffixes) {
    addNodes(suffixes);
    for (String s : suffixes) {
      runPod("web-" + s, s, "web", "app");
    }
  }

  public void deleteNode(String suffix) {
    client.nodes().withName(node(suffix)).delete();
  }

  /** A running pod on node {@code <scope>-<nodeSuffix>}, app=&lt;app&gt;, with these containers. */
  public Pod runPod(String name, String nodeSuffix, String app, String... containers) {
    Map<String, String> labels = new HashMap<>(Map.of("app", app));
    var builder = new PodBuilder().withNewMetadata().withName(name).withNamespace(scope)
        .withLabels(labels).endMetadata().withNewSpec().withNodeName(node(nodeSuffix));
    for (String c : containers) {
      builder.addNewContainer().withName(c).withImage("scratch/" + c).endContainer();
    }
    Pod pod = client.resource(builder.endSpec().build()).create();
    createdAt.put(name, pod.getMetadata().getResourceVersion());
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
        .withContainerStatuses(Arrays.stream(containers).map(c -> new ContainerStatusBuilder()
            .withName(c).withImage("scratch/" + c).withImageID("sha256:" + "0".repeat(64))
            .withReady(true).withRestartCount(0).withStarted(true)
            .withNewState().withNewRunning().withStartedAt(kubeletTime(Instant.now())).endRunning()
            .endState()
            .withContainerID(containerId(name, c)).build()).toList())
        .build());
    return client.resource(pod).updateStatus();
  }

  /**
   * The container {@code container} of pod {@code name} restarted now, as the kubelet reports it:
   * a new container ID, one more restart, running since now.
   */
  public Pod restartContainer(String name, String container) {
    Pod pod = client.pods().inNamespace(scope).withName(name).get();
    pod.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName()))
        .forEach(s -> {
          s.setRestartCount(s.getRestartCount() + 1);
          s.setContainerID(containerId(name, container) + "-" + s.getRestartCount());
          s.setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewRunning()
              .withStartedAt(kubeletTime(Instant.now())).endRunning().build());
        });
    return client.resource(pod).updateStatus();
  }

  /** A time as the kubelet writes it: RFC 3339 to the second. */
  private static String kubeletTime(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  /** The resourceVersion at which pod {@code name} of this scope was created. */
  public String createdAt(String name) {
    return createdAt.get(name);
  }

  /** The container ID the fake kubelet reports for a container of a pod. */
  public static String containerId(String pod, String container) {
    return "containerd://" + Integer.toHexString((pod + "/" + container).hashCode());
  }
}
