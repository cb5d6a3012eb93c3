package io.kulp.operator.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kulp.api.KulpConstants;
import io.kulp.api.LabelValues;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.e2e.E2EEnvironment;
import io.kulp.e2e.ServiceAccountKubeconfig;
import io.kulp.operator.livepatch.LivePatchNodeNames;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.TestLivePatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Operator scale benchmark (a tool, not a test): a real kube-apiserver and etcd, N simulated nodes
 * each running P pods of which M match the LivePatch ({@link BenchFleet}), one LivePatch on them
 * with maxConcurrentNodes 100%; the bench plays the agents. The operator runs as its own JVM
 * ({@link OperatorProcess}) as deploy/ runs it ({@link DeployedOperatorJvm}: its JAVA_OPTS and
 * MALLOC_ARENA_MAX, its memory limit as the JVM's RAM). Measures, wall clock, through watches:
 * <ol>
 *   <li>baseline: a bare client writing the same N LivePatchNodes by server-side apply, one after
 *       another once, and {@link #OPERATOR_WRITES} at a time as the operator does just before and
 *       just after each operator's rounds (the API server slows down through a long run), timed
 *       as the operator's rounds are, by the bench's watch;
 *   <li>the operator's start until its caches have synced (/startup);
 *   <li>from creating the LivePatch to all N LivePatchNodes written;
 *   <li>from the last agent report to the LivePatch showing Complete=True;
 *   <li>the operator's resident set (VmRSS, peak and VmHWM) and heap (used; live after a GC).
 * </ol>
 *
 * <p>Run (docs/benchmarks.md, "Fleet scale", has the whole command): in operator/, {@code java -cp
 * target/test-classes:target/classes:$(cat target/bench.cp)
 * io.kulp.operator.bench.OperatorScaleBench 5000 30 3 1} (nodes, pods per node, matching pods per
 * node, rounds). Figures go to docs/benchmarks.md. {@code BENCH_OPERATORS} runs several operators one after the other on the
 * same fleet, each with its own LivePatches: {@code label|classes|JVM options} separated by
 * {@code ;}, where classes, when not empty, is put first on the operator's class path (an older
 * operator's compiled classes, to compare) and the JVM options come after deploy/'s (the later
 * of two settings wins); default {@code deploy||}. The operator authenticates as deploy/'s
 * operator does, with its ServiceAccount's token under deploy/'s RBAC (the bench applies deploy/;
 * its token is valid for 2 hours from the bench's start);
 * a fourth field {@code admin} runs it with the bench's admin client certificate instead. Each
 * operator starts on the same cluster: the LivePatches and LivePatchNodes of the one before are
 * removed. With {@code -XX:NativeMemoryTracking=summary} in its options, the operator's native
 * memory summary is printed after each round. Every figure is printed with the load average,
 * each write measurement with the CPU time the operator (or the bench), kube-apiserver and etcd
 * spent over it ({@link CpuTime}). Each measurement starts once kube-apiserver, etcd and the
 * operator are quiet ({@link #settle}); each round also prints where the API server served its
 * LISTs of pods (its watch cache or etcd).
 */
public final class OperatorScaleBench {

  static final int WRITERS = 16;
  private static final Path REPO =
      Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String BASELINE_OWNER_UID = "00000000-0000-4000-8000-000000000001";
  /** LivePatchNode writes the operator keeps in flight (its LivePatchNodeWriter). */
  static final int OPERATOR_WRITES = 8;

  private OperatorScaleBench() {}

  public static void main(String[] args) throws Exception {
    int nodeCount = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int podsPerNode = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int matchingPerNode = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    List<String> operators = List.of(System.getenv().getOrDefault("BENCH_OPERATORS", "deploy||")
        .split(";"));
    var deployed = DeployedOperatorJvm.read();
    System.out.printf("deploy/'s operator JVM: %s, environment %s (memory limit %d MiB)%n",
        String.join(" ", deployed.jvmOptions()), deployed.environment(),
        deployed.memoryLimitMib());
    try (var cluster = KubeApiTestCluster.start()) {
      // The operator runs as deploy/ runs it: its ServiceAccount's token, authorized by its RBAC.
      // (The CRDs are there already, applied by the operator's field manager.)
      E2EEnvironment.installDeploy(REPO, cluster.kubeconfig(), cluster.client(),
          "--force-conflicts");
      Path serviceAccount = ServiceAccountKubeconfig.write(cluster.client(),
          Files.readString(cluster.kubeconfig()), E2EEnvironment.SYSTEM_NAMESPACE, "kulp-operator");
      List<KubernetesClient> writers = new ArrayList<>();
      for (int i = 0; i < WRITERS; i++) {
        writers.add(cluster.newClient());
      }
      var fleet = new BenchFleet(writers);
      long t0 = System.nanoTime();
      fleet.create(nodeCount, podsPerNode, matchingPerNode);
      System.out.printf("cluster ready: %d nodes, %d pods (%d matching) in %.0f s, %d writers%n",
          nodeCount, nodeCount * podsPerNode, nodeCount * matchingPerNode,
          (System.nanoTime() - t0) / 1e9, WRITERS);

      baseline(cluster.client(), fleet, 1, "", true, 0);
      // What the owner reference the operator's carry costs, alternately with and without.
      for (int i = 0; i < 2; i++) {
        baseline(cluster.client(), fleet, OPERATOR_WRITES, "", true, 0);
        baseline(cluster.client(), fleet, OPERATOR_WRITES, " without the owner reference", false,
            0);
      }

      for (String operatorSpec : operators) {
        // label|classes (empty: this build)|JVM options[|admin]
        String[] parts = operatorSpec.split("\\|", -1);
        Path kubeconfig = parts.length > 3 && parts[3].equals("admin") ? cluster.kubeconfig()
            : serviceAccount;
        String label = parts[0];
        List<String> jvmOptions = new ArrayList<>(deployed.jvmOptions());
        if (!parts[2].isBlank()) {
          jvmOptions.addAll(List.of(parts[2].trim().split(" +")));
        }
        // The API server slows down through a long run: each operator's rounds are compared with
        // a bare client's writes just before and just after them.
        double before = baseline(cluster.client(), fleet, OPERATOR_WRITES, "", true, 0);
        List<Double> roundSeconds = new ArrayList<>();
        Path log = Files.createTempFile("kulp-operator-bench-" + label, ".log");
        long started = System.nanoTime();
        try (var operator = OperatorProcess.start(kubeconfig, parts[1], jvmOptions,
            deployed.environment(), log)) {
          operator.awaitStarted();
          System.out.printf("operator %s (pid %d, %s, %s, log %s): started and synced in %.1f s;"
              + " RSS %.0f MiB, heap used %.0f MiB, committed %.0f MiB; %s%n", label, operator.pid(),
              kubeconfig == serviceAccount ? "as ServiceAccount kulp-operator" : "as admin",
              String.join(" ", jvmOptions), log, (System.nanoTime() - started) / 1e9,
              operator.rssMib(), operator.heapUsedMib(), operator.heapCommittedMib(), load());
          // What the operator's informers cost the same writes, the operator idle.
          System.out.printf("operator %s quiet after %.0f s more%n", label, operator.awaitQuiet());
          baseline(cluster.client(), fleet, OPERATOR_WRITES, " beside the idle operator",
              true, operator.pid());
          for (int round = 1; round <= rounds; round++) {
            String name = label + "-" + round;
            roundSeconds.add(runRound(cluster, writers, name, fleet.targets().size(),
                operator.pid()));
            System.out.printf("  the operator's log: %s%n", stepLogged(log, name));
            System.out.printf("  operator %s after round %d: RSS %.0f MiB, %s, heap used %.0f MiB,"
                + " committed %.0f MiB, live heap after GC %.0f MiB; %s%n", label, round,
                operator.rssMib(), operator.peakRss(), operator.heapUsedMib(),
                operator.heapCommittedMib(), operator.liveHeapMib(), load());
            if (jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking="))) {
              System.out.printf("  native memory (committed, MiB): %s%n", operator.nativeMemory());
            }
          }
        } catch (Exception e) {
          System.out.printf("operator %s failed: %s (log %s)%n", label, e, log);
        }
        removeLivePatches(cluster.client());
        double after = baseline(cluster.client(), fleet, OPERATOR_WRITES, "", true, 0);
        System.out.printf("operator %s: create -> all written %s s; a bare client with %d writers"
            + " %.2f s before and %.2f s after: %s%n", label,
            roundSeconds.stream().map(r -> String.format("%.2f", r)).toList(), OPERATOR_WRITES,
            before, after, roundSeconds.stream()
                .map(r -> String.format("%.2fx", r / ((before + after) / 2))).toList());
      }
      for (KubernetesClient w : writers) {
        w.close();
      }
    }
    System.exit(0);
  }

  /**
   * Writes the LivePatchNodes the operator will write (same labels, annotations and spec, and,
   * when {@code owned}, the same owner reference) with a bare client, by server-side apply, with {@code threads} writers, timed as the operator's
   * rounds are: from the first request to the bench's watch having seen all of them; then deletes
   * them. Returns the seconds.
   */
  private static double baseline(KubernetesClient client, BenchFleet fleet, int threads,
      String beside, boolean owned, long operatorPid) throws Exception {
    double settled = settle(operatorPid);
    var lp = TestLivePatches.apply("baseline", BenchFleet.SCOPE, "web");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> writes = new ArrayList<>();
    double seconds;
    double benchCpu = CpuTime.of(ProcessHandle.current().pid());
    double serverCpu = CpuTime.apiServerAndEtcd();
    try (var seen = new AllWritten(client, "baseline", fleet.targets().size())) {
      long start = System.nanoTime();
      for (Map.Entry<String, List<TargetPod>> e : fleet.targets().entrySet()) {
        writes.add(pool.submit(() -> client.resource(livePatchNode(lp, e.getKey(), e.getValue(), owned))
            .fieldManager("bench").forceConflicts().serverSideApply()));
      }
      for (Future<?> f : writes) {
        f.get();
      }
      seconds = (seen.await() - start) / 1e9;
    }
    benchCpu = CpuTime.of(ProcessHandle.current().pid()) - benchCpu;
    serverCpu = CpuTime.apiServerAndEtcd() - serverCpu;
    pool.shutdown();
    System.out.printf("baseline%s: a bare client writes %d LivePatchNodes with %d writer(s) in"
        + " %.2f s (CPU: the bench %.1f s, kube-apiserver and etcd %.1f s; settled %.0f s before);"
        + " %s%n", beside, writes.size(), threads, seconds, benchCpu, serverCpu, settled, load());
    client.resources(LivePatchNode.class)
        .withLabel(KulpConstants.LABEL_LIVEPATCH, LabelValues.of("baseline")).delete();
    return seconds;
  }

  /**
   * The bench's watch on LivePatchNodes: the time (System.nanoTime) at which it has seen one for
   * each of {@code count} nodes, for the LivePatch named {@code livePatch}.
   */
  private static final class AllWritten implements AutoCloseable {
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final CountDownLatch all = new CountDownLatch(1);
    private volatile long at;
    private final Watch watch;

    AllWritten(KubernetesClient client, String livePatch, int count) {
      watch = client.resources(LivePatchNode.class).watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, LivePatchNode lpn) {
          if (livePatch.equals(lpn.getSpec().livePatch) && seen.add(lpn.getSpec().nodeName)
              && seen.size() == count) {
            at = System.nanoTime();
            all.countDown();
          }
        }

        @Override
        public void onClose(WatcherException cause) {}
      });
    }

    long await() throws InterruptedException {
      if (!all.await(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException("only " + seen.size() + " LivePatchNodes written");
      }
      return at;
    }

    @Override
    public void close() {
      watch.close();
    }
  }

  /** The operator's log line for the step that started {@code livePatch}'s nodes. */
  private static String stepLogged(Path log, String livePatch) throws java.io.IOException {
    String prefix = "LivePatch " + livePatch + ": started";
    return Files.readAllLines(log).stream().filter(l -> l.contains(prefix))
        .map(l -> l.substring(l.indexOf(prefix), l.indexOf('"', l.indexOf(prefix)))).findFirst()
        .orElse("(no step logged)");
  }

  /** The LivePatches an operator left, and their LivePatchNodes: gone, finalizers and all. */
  private static void removeLivePatches(KubernetesClient client) {
    for (LivePatch lp : client.resources(LivePatch.class).list().getItems()) {
      client.resource(lp).edit(l -> {
        l.getMetadata().setFinalizers(List.of());
        return l;
      });
    }
    client.resources(LivePatch.class).delete();
    client.resources(LivePatchNode.class).delete();
  }

  /**
   * Waits until kube-apiserver and etcd, and the operator {@code operatorPid} when not 0, are
   * quiet: the LivePatchNodes deleted before a measurement reach the watches afterwards, and their
   * events would be counted in it. Returns the seconds waited.
   */
  private static double settle(long operatorPid) {
    return CpuTime.awaitQuiet("kube-apiserver, etcd and the operator", () ->
        CpuTime.apiServerAndEtcd() + (operatorPid == 0 ? 0 : CpuTime.of(operatorPid)), 0.2);
  }

  /**
   * kube-apiserver's counts of pod LISTs and of the objects they fetched
   * ({@code apiserver_storage_list_total}, {@code apiserver_storage_list_fetched_objects_total}),
   * by metric and labels; the label {@code storage} says whether its watch cache or etcd served
   * them.
   */
  private static Map<String, Double> podLists(KubernetesClient client) {
    Map<String, Double> counts = new java.util.TreeMap<>();
    for (String line : client.raw("/metrics").split("\n")) {
      if (line.matches("apiserver_storage_list_(total|fetched_objects_total)\\{.*\"pods\".*")) {
        int space = line.lastIndexOf(' ');
        counts.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return counts;
  }

  /** The load average (1, 5 and 15 minutes), as uptime shows it. */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return "load average " + f[0] + ", " + f[1] + ", " + f[2];
    } catch (java.io.IOException e) {
      return "load average unknown";
    }
  }

  private static LivePatchNode livePatchNode(LivePatch lp, String node, List<TargetPod> targets,
      boolean owned) {
    var lpn = new LivePatchNode();
    String name = lp.getMetadata().getName();
    lpn.setMetadata(new ObjectMetaBuilder()
        .withName(LivePatchNodeNames.objectName(name, node))
        .withLabels(Map.of(KulpConstants.LABEL_LIVEPATCH, LabelValues.of(name),
            KulpConstants.LABEL_NODE, LabelValues.of(node)))
        .withAnnotations(Map.of(KulpConstants.ANNOTATION_ROLLOUT_DIGEST, "0".repeat(64),
            KulpConstants.ANNOTATION_STARTED_AT, Instant.now().toString()))
        .build());
    if (owned) { // as the operator's: its LivePatch as controller (the uid of none here)
      lpn.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model
          .OwnerReferenceBuilder().withApiVersion(lp.getApiVersion()).withKind(lp.getKind())
          .withName(name).withUid(BASELINE_OWNER_UID).withController(true).build()));
    }
    var spec = new LivePatchNodeSpec();
    spec.livePatch = name;
    spec.nodeName = node;
    spec.action = Action.Apply;
    spec.mode = io.kulp.api.v1alpha1.Mode.OneShot;
    spec.library = lp.getSpec().library;
    spec.patch = lp.getSpec().patch;
    spec.targets = targets;
    lpn.setSpec(spec);
    return lpn;
  }

  /** One LivePatch rolled out by the operator; returns create -> all LivePatchNodes written, s. */
  private static double runRound(KubeApiTestCluster cluster, List<KubernetesClient> writers,
      String name, int nodeCount, long operatorPid) throws Exception {
    KubernetesClient client = cluster.client();
    var complete = new CountDownLatch(1);
    long[] at = new long[2];
    var allWritten = new AllWritten(client, name, nodeCount);
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

    var lp = TestLivePatches.apply(name, BenchFleet.SCOPE, "web");
    lp.getSpec().target.containers = List.of("app");
    lp.getSpec().rollout.maxConcurrentNodes = new IntOrString("100%");
    double settled = settle(operatorPid);
    Map<String, Double> lists = podLists(client);
    double operatorCpu = CpuTime.of(operatorPid);
    double serverCpu = CpuTime.apiServerAndEtcd();
    long created = System.nanoTime();
    client.resource(lp).create();
    at[0] = allWritten.await();
    double writeSeconds = (at[0] - created) / 1e9;
    operatorCpu = CpuTime.of(operatorPid) - operatorCpu;
    serverCpu = CpuTime.apiServerAndEtcd() - serverCpu;
    Map<String, Double> listsAfter = podLists(client);
    listsAfter.replaceAll((metric, value) -> value - lists.getOrDefault(metric, 0.0));
    listsAfter.values().removeIf(v -> v == 0);
    System.out.printf("  %s: the API server's LISTs of pods meanwhile, by where it served them: %s%n",
        name, listsAfter);

    // The agents report, one writer per client, as many agents would (each its own node).
    ExecutorService pool = Executors.newFixedThreadPool(writers.size());
    List<FakeAgents> agents = writers.stream().map(FakeAgents::new).toList();
    List<Future<?>> reports = new ArrayList<>();
    int i = 0;
    for (LivePatchNode lpn : FakeAgents.nodesOf(client, name).values()) {
      FakeAgents agent = agents.get(i++ % agents.size());
      reports.add(pool.submit(() -> agent.report(lpn, NodePhase.Succeeded)));
    }
    for (Future<?> f : reports) {
      f.get();
    }
    long lastReport = System.nanoTime();
    if (!complete.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("never Complete");
    }
    double completeSeconds = (at[1] - lastReport) / 1e9;
    double reportSeconds = (lastReport - at[0]) / 1e9;
    System.out.printf("%s: %d nodes: create -> all LivePatchNodes written %.2f s (CPU: the"
        + " operator %.1f s, kube-apiserver and etcd %.1f s; settled %.0f s before); "
        + "agents reporting (%d writers) %.2f s; last report -> Complete %.2f s; %s%n",
        name, nodeCount, writeSeconds, operatorCpu, serverCpu, settled, writers.size(),
        reportSeconds, completeSeconds, load());
    pool.shutdown();
    allWritten.close();
    lpWatch.close();
    return writeSeconds;
  }
}
