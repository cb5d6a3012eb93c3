package io.kulp.operator.bench;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.operator.testing.FakeNodes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated fleet of the scale benchmark, written by parallel writers (one client each): nodes
 * labelled with the bench's scope, each with its agent's Lease ({@link FakeNodes}), and on each
 * node {@code podsPerNode} running pods spread over {@link #NAMESPACES} namespaces, of which
 * {@code matchingPerNode} are {@code app=web} (the LivePatch's podSelector) and the others belong
 * to {@link #OTHER_APPS} other apps. Pods are created, then given a Running status with container
 * IDs through the status subresource, as a kubelet would.
 */
final class BenchFleet {

  static final String SCOPE = "bench";
  static final int NAMESPACES = 30;
  static final int OTHER_APPS = 200;

  private final List<KubernetesClient> writers;
  private final FakeNodes[] nodes;
  /** Node name to its matching pods, as the operator should target them. */
  private final SortedMap<String, List<TargetPod>> targets = new ConcurrentSkipListMap<>();

  BenchFleet(List<KubernetesClient> writers) {
    this.writers = writers;
    this.nodes = new FakeNodes[writers.size()];
    for (int i = 0; i < writers.size(); i++) {
      nodes[i] = new FakeNodes(writers.get(i), SCOPE);
    }
    for (int n = 0; n < NAMESPACES; n++) {
      writers.get(0).namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(namespace(n)).addToLabels("team", "team-" + n).endMetadata().build())
          .serverSideApply();
    }
  }

  static String namespace(int n) {
    return String.format("team-%02d", n);
  }

  /** Creates the nodes, Leases and pods; prints progress. */
  void create(int nodeCount, int podsPerNode, int matchingPerNode) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers.size());
    AtomicInteger done = new AtomicInteger();
    List<Future<?>> work = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < nodeCount; i++) {
      int node = i;
      work.add(pool.submit(() -> {
        int w = node % writers.size();
        createNode(writers.get(w), nodes[w], node, podsPerNode, matchingPerNode);
        int d = done.incrementAndGet();
        if (d % Math.max(1, nodeCount / 20) == 0) {
          System.out.printf("  %d/%d nodes with their pods (%.0f s)%n", d, nodeCount,
              (System.nanoTime() - start) / 1e9);
        }
        return null;
      }));
    }
    for (Future<?> f : work) {
      f.get();
    }
    pool.shutdown();
  }

  private void createNode(KubernetesClient client, FakeNodes fake, int node, int podsPerNode,
      int matchingPerNode) {
    String suffix = String.format("%05d", node);
    String nodeName = fake.node(suffix);
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName)
        .addToLabels(FakeNodes.SCOPE_LABEL, SCOPE)
        .addToLabels("kubernetes.io/hostname", nodeName)
        .addToLabels("kubernetes.io/os", "linux").addToLabels("kubernetes.io/arch", "amd64")
        .addToLabels("topology.kubernetes.io/zone", "zone-" + node % 3)
        .endMetadata().build()).create();
    fake.startAgent(suffix);
    List<TargetPod> matching = new ArrayList<>();
    for (int j = 0; j < podsPerNode; j++) {
      boolean web = j < matchingPerNode;
      String app = web ? "web" : "app-" + ((node * podsPerNode + j) % OTHER_APPS);
      String ns = namespace((node + j) % NAMESPACES);
      String name = app + "-" + suffix + "-" + j;
      Pod pod = runPod(client, ns, name, nodeName, app);
      if (web) {
        TargetPod tp = new TargetPod();
        tp.namespace = ns;
        tp.name = name;
        tp.uid = pod.getMetadata().getUid();
        TargetContainer c = new TargetContainer();
        c.name = "app";
        c.containerID = FakeNodes.containerId(name, "app");
        tp.containers.add(c);
        matching.add(tp);
      }
    }
    if (!matching.isEmpty()) {
      matching.sort(Comparator.comparing((TargetPod p) -> p.namespace).thenComparing(p -> p.name));
      targets.put(nodeName, matching);
    }
  }

  /** A pod as a Deployment's would look (labels, two containers), then Running with its IDs. */
  private static Pod runPod(KubernetesClient client, String ns, String name, String node,
      String app) {
    Pod pod = client.resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(Map.of("app", app, "pod-template-hash", Integer.toHexString(app.hashCode()),
            "app.kubernetes.io/part-of", "bench"))
        .endMetadata().withNewSpec().withNodeName(node)
        .addNewContainer().withName("app").withImage("registry.example/" + app + ":1.0")
        .addToArgs("--port=8080").endContainer()
        .addNewContainer().withName("sidecar").withImage("registry.example/proxy:2.0").endContainer()
        .endSpec().build()).create();
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("10.0.0.1")
        .withContainerStatuses(List.of("app", "sidecar").stream().map(c -> new ContainerStatusBuilder()
            .withName(c).withImage("registry.example/" + c).withImageID("sha256:" + "0".repeat(64))
            .withReady(true).withRestartCount(0).withStarted(true)
            .withContainerID(FakeNodes.containerId(name, c)).build()).toList())
        .build());
    return client.resource(pod).updateStatus();
  }

  /** Node name to the pods a LivePatch on app=web targets there, container "app". */
  SortedMap<String, List<TargetPod>> targets() {
    return targets;
  }
}
