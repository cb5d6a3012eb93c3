package io.kulp.operator.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.FakeNodes;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.OperatorUnderTest;
import io.kulp.operator.testing.TestLivePatches;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Operator scale benchmark (a tool, not a test): a real kube-apiserver, N simulated nodes each
 * running one targeted pod, one LivePatch with maxConcurrentNodes 100%. Measures
 * (1) from creating the LivePatch to all N LivePatchNodes written (seen through a watch), and
 * (2) from the last agent report to the LivePatch showing Complete=True (seen through a watch).
 *
 * <p>Run: {@code mvn -pl operator -am install -DskipTests && mvn -pl operator exec:java@bench
 * -Dexec.args="200 3"} (nodes, rounds). Figures go to docs/benchmarks.md.
 */
public final class OperatorScaleBench {

  private OperatorScaleBench() {}

  public static void main(String[] args) throws Exception {
    int nodeCount = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    try (var cluster = KubeApiTestCluster.start()) {
      KubernetesClient client = cluster.client();
      var nodes = new FakeNodes(client, "bench");
      List<String> names = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        String suffix = String.format("%04d", i);
        nodes.addNodes(suffix);
        nodes.runPod("web-" + suffix, suffix, "web", "app");
        names.add(nodes.node(suffix));
      }
      System.out.printf("cluster ready: %d nodes, %d pods%n", nodeCount, nodeCount);
      try (KulpOperatorApp operator = OperatorUnderTest.start(cluster.newClient())) {
        for (int round = 1; round <= rounds; round++) {
          runRound(cluster, "bench-" + round, nodeCount);
        }
      }
    }
    System.exit(0);
  }

  private static void runRound(KubeApiTestCluster cluster, String name, int nodeCount)
      throws Exception {
    KubernetesClient client = cluster.client();
    Set<String> written = ConcurrentHashMap.newKeySet();
    var allWritten = new CountDownLatch(1);
    var complete = new CountDownLatch(1);
    long[] at = new long[2];
    Watch lpnWatch = client.resources(LivePatchNode.class).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, LivePatchNode lpn) {
        if (name.equals(lpn.getSpec().livePatch) && written.add(lpn.getSpec().nodeName)
            && written.size() == nodeCount) {
          at[0] = System.nanoTime();
          allWritten.countDown();
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
    Watch lpWatch = client.resources(LivePatch.class).withName(name).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, LivePatch lp) {
        if (lp.getStatus() != null && lp.getStatus().conditions.stream().anyMatch(c ->
            KulpConstants.CONDITION_COMPLETE.equals(c.getType()) && "True".equals(c.getStatus()))) {
          at[1] = System.nanoTime();
          complete.countDown();
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });

    var lp = TestLivePatches.apply(name, "bench", "web");
    lp.getSpec().rollout.maxConcurrentNodes = new IntOrString("100%");
    long created = System.nanoTime();
    client.resource(lp).create();
    if (!allWritten.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("only " + written.size() + " LivePatchNodes written");
    }
    double writeSeconds = (at[0] - created) / 1e9;

    // The agents report, 8 at a time, as 200 agents would (each its own node).
    ExecutorService pool = Executors.newFixedThreadPool(8);
    var agentClient = cluster.newClient();
    var agents = new FakeAgents(agentClient);
    List<Future<?>> reports = new ArrayList<>();
    for (LivePatchNode lpn : FakeAgents.nodesOf(client, name).values()) {
      reports.add(pool.submit(() -> agents.report(lpn, NodePhase.Succeeded)));
    }
    for (Future<?> f : reports) {
      f.get();
    }
    long lastReport = System.nanoTime();
    if (!complete.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("never Complete");
    }
    double completeSeconds = (at[1] - lastReport) / 1e9;
    double reportSeconds = (lastReport - at[0]) / 1e9;
    System.out.printf("%s: %d nodes: create -> all LivePatchNodes written %.2f s; "
        + "agents reporting %.2f s; last report -> Complete %.2f s%n",
        name, nodeCount, writeSeconds, reportSeconds, completeSeconds);
    pool.shutdown();
    agents.close();
    agentClient.close();
    lpnWatch.close();
    lpWatch.close();
  }
}
