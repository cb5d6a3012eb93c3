package io.kulp.bench;

import io.kulp.engine.Engine;
import io.kulp.engine.ProcessPool;
import io.kulp.engine.PtraceEngine;
import io.kulp.engine.Operation;
import io.kulp.engine.Outcome;
import io.kulp.engine.OperationResult;
import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The engine's benchmark (docs/benchmarks.md, "Live patching"). Not a test: a runnable tool.
 * Every figure is measured on real processes with a warm engine, as inside the node agent.
 *
 * <p>Usage: {@code node-agent/cli/bench/engine-bench.sh [latency|pause|fleet|callcost|all]}
 */
public final class EngineBench {
  private final Engine engine = new PtraceEngine(PtraceEngine.Options.defaults());
  private final ProcessPool pool = new ProcessPool("bench",
      Integer.getInteger("bench.parallelism", ProcessPool.defaultParallelism()));
  private final Operation applyValue;
  private final Operation revertValue;
  private final Operation applyWork;
  private final Operation revertWork;

  private EngineBench() throws Exception {
    PatchContainer value = PatchContainer.read(Fixtures.patch("value_v2"));
    applyValue = new Operation.Apply(value);
    revertValue = new Operation.Revert(value.apply().id(), "value_v2.so");
    PatchContainer work = PatchContainer.read(Fixtures.patch("work"));
    applyWork = new Operation.Apply(work);
    revertWork = new Operation.Revert(work.apply().id(), "work.so");
  }

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    EngineBench bench = new EngineBench();
    System.out.printf("machine: %d CPUs, load %s%n", Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).trim());
    if (what.equals("latency") || what.equals("all")) {
      bench.latency();
    }
    if (what.equals("pause") || what.equals("all")) {
      bench.pause();
    }
    if (what.equals("fleet") || what.equals("all")) {
      bench.fleet(args.length > 1 ? Integer.parseInt(args[1]) : 1000);
    }
    if (what.equals("callcost") || what.equals("all")) {
      bench.callCost();
    }
    if (what.equals("unprepared") || what.equals("all")) {
      bench.unprepared();
    }
    if (what.equals("consistent") || what.equals("all")) {
      bench.consistent();
    }
    bench.engine.close();
    bench.pool.close();
  }

  /** {@code ops} on every process in parallel, as `ulp trigger -p NAME` and the node agent do. */
  private List<OperationResult> runAll(List<Integer> pids, List<? extends Operation> ops) {
    List<Operation> list = List.copyOf(ops);
    return pool.map(pids, pid -> engine.run(pid, list)).stream().flatMap(List::stream).toList();
  }

  private OperationResult run(int pid, Operation op, Outcome expected) {
    OperationResult r = engine.run(pid, List.of(op)).get(0);
    if (r.outcome() != expected) {
      throw new IllegalStateException(pid + ": " + r);
    }
    return r;
  }

  /** Apply latency on a one-thread target: the first activation of a function, then the steady state. */
  private void latency() throws Exception {
    try (TargetProgram p = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
      p.await(l -> l.startsWith("ready"));
      for (int i = 0; i < 300; i++) { // warm the engine (JIT, caches) as a running agent is
        run(p.pid(), applyValue, Outcome.APPLIED);
        run(p.pid(), revertValue, Outcome.REVERTED);
      }
      // The first activation of a function in a process (includes the quiescence check): a fresh
      // process each time, that has been running for a moment. The first 60 only warm that path.
      double[] first = new double[40];
      for (int i = -60; i < first.length; i++) {
        try (TargetProgram fresh = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
          fresh.await(l -> l.startsWith("ready"));
          Thread.sleep(100);
          double ms = run(fresh.pid(), applyValue, Outcome.APPLIED).elapsed().toNanos() / 1e6;
          if (i >= 0) {
            first[i] = ms;
          }
        }
      }
      double[] apply = new double[500];
      double[] revert = new double[500];
      for (int i = 0; i < apply.length; i++) {
        apply[i] = run(p.pid(), applyValue, Outcome.APPLIED).elapsed().toNanos() / 1e6;
        revert[i] = run(p.pid(), revertValue, Outcome.REVERTED).elapsed().toNanos() / 1e6;
      }
      if (!p.ask("value", "value").equals("1")) {
        throw new IllegalStateException("the target ended patched");
      }
      System.out.println("latency, one-thread target, warm engine (ms):");
      System.out.println("  first apply of a function in a process  " + stats(first));
      System.out.println("  apply (function patched before)         " + stats(apply));
      System.out.println("  revert                                  " + stats(revert));
    }
  }

  /**
   * The longest gap the target's other threads see, all busy calling the patched function: a
   * window with patching against a control window of the same length without.
   */
  private void pause() throws Exception {
    System.out.println("pause of the other threads, busy-looping on kfix_work (max gap, µs):");
    for (int threads : new int[] {1, 8, 64}) {
      List<Long> control = new ArrayList<>();
      List<Long> firstActivation = new ArrayList<>();
      List<Long> steady = new ArrayList<>();
      long heldFirst = 0;
      long heldSteady = 0;
      TracedStops.Tally kernelFirst = new TracedStops.Tally();
      for (int round = 0; round < 5; round++) {
        try (TargetProgram p = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
          p.await(l -> l.startsWith("ready"));
          p.ask("threads " + threads, "threads");
          Thread.sleep(300);
          p.ask("gap", "gap");
          Thread.sleep(200);
          control.add(Long.parseLong(p.ask("gap", "gap")));
          // The first activation of kfix_work: the quiescence check looks at every running thread.
          try (TracedStops.Tally.Window traced = kernelFirst.open(p.pid())) {
            heldFirst = Math.max(heldFirst, run(p.pid(), applyWork, Outcome.APPLIED).longestThreadStop().toNanos());
          }
          firstActivation.add(Long.parseLong(p.ask("gap", "gap")));
          long end = System.nanoTime() + 200_000_000L;
          while (System.nanoTime() < end) {
            heldSteady = Math.max(heldSteady, run(p.pid(), revertWork, Outcome.REVERTED).longestThreadStop().toNanos());
            heldSteady = Math.max(heldSteady, run(p.pid(), applyWork, Outcome.APPLIED).longestThreadStop().toNanos());
          }
          steady.add(Long.parseLong(p.ask("gap", "gap")));
          p.send("stats");
          String stats = p.await(l -> l.startsWith("stats"));
          if (!stats.endsWith("wrong=0")) {
            throw new IllegalStateException(stats);
          }
        }
      }
      System.out.printf("  %2d threads: probe max gap: control %s | with the first activation %s | with apply/revert"
          + " cycles %s%n", threads, median(control), median(firstActivation), median(steady));
      System.out.printf("      longest hold of one application thread, measured by the engine: first activation"
          + " %.1f µs, apply/revert cycles %.1f µs%n", heldFirst / 1e3, heldSteady / 1e3);
      System.out.printf("      longest hold in a ptrace stop at the first activation, seen by the kernel's scheduler:"
          + " %s%n", kernelFirst.describe());
    }
  }

  /** Waits until every process's runtime has its helper thread up (the engine reads it then). */
  private void awaitRuntimes(List<Integer> pids) {
    Awaitility.await("the runtime of all " + pids.size() + " processes").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
          for (int pid : pids) {
            engine.read(pid).patches(); // throws until the runtime is ready
          }
          return true;
        });
  }

  /**
   * One command over many single-threaded processes, each patched for the first time. The engine
   * is warmed first on other processes, with first activations of other functions.
   */
  private void fleet(int n) throws Exception {
    int warm = 200;
    Path script = Path.of("node-agent/cli/bench/spawn-many.sh").toAbsolutePath();
    Process spawner = new ProcessBuilder(script.toString(), Integer.toString(n + warm), Fixtures.libpulp().toString(),
        Fixtures.fixture("kfix-driver").toString()).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(spawner.getInputStream()));
    List<Integer> pids = new ArrayList<>();
    for (String line; pids.size() < n + warm && (line = out.readLine()) != null;) {
      pids.add(Integer.parseInt(line.trim()));
    }
    try {
      awaitRuntimes(pids);
      List<Integer> warmers = pids.subList(n, n + warm);
      for (String name : List.of("hidden", "counter", "tls", "endbr", "layout", "work")) {
        runAll(warmers, List.of(new Operation.Apply(PatchContainer.read(Fixtures.patch(name)))));
      }
      runAll(warmers, List.of(new Operation.RevertAll("libkfix.so.1")));
      List<Integer> fleet = pids.subList(0, n);
      java.util.Map<String, Long> threadsBefore = jvmThreadCpu();
      long targetsBefore = cpuTicks(fleet);
      long engineBefore = cpuTicks(List.of((int) ProcessHandle.current().pid()));
      long start = System.nanoTime();
      List<OperationResult> applied = runAll(fleet, List.of(applyValue));
      long applyNs = System.nanoTime() - start;
      System.out.printf("  CPU during the first apply: engine %.3f s, the %d targets %.3f s (clock ticks of 10 ms)%n",
          (cpuTicks(List.of((int) ProcessHandle.current().pid())) - engineBefore) / 100.0, n,
          (cpuTicks(fleet) - targetsBefore) / 100.0);
      java.util.Map<String, Long> threadsAfter = jvmThreadCpu();
      threadsAfter.forEach((name, ns) -> {
        long used = ns - threadsBefore.getOrDefault(name, 0L);
        if (used > 5_000_000) {
          System.out.printf("    %-28s %.3f s%n", name, used / 1e9);
        }
      });
      start = System.nanoTime();
      List<OperationResult> reverted = runAll(fleet, List.of(revertValue));
      long revertNs = System.nanoTime() - start;
      start = System.nanoTime();
      List<OperationResult> again = runAll(fleet, List.of(applyValue));
      long againNs = System.nanoTime() - start;
      applied.stream().filter(r -> r.outcome() != Outcome.APPLIED).forEach(r -> System.out.println("  not applied: " + r));
      long ok = applied.stream().filter(r -> r.outcome() == Outcome.APPLIED).count();
      long back = reverted.stream().filter(r -> r.outcome() == Outcome.REVERTED).count();
      long twice = again.stream().filter(r -> r.outcome() == Outcome.APPLIED).count();
      System.out.printf("%d single-threaded processes: first apply %.3f s (%d applied), revert %.3f s (%d reverted),"
          + " apply again %.3f s (%d applied)%n", n, applyNs / 1e9, ok, revertNs / 1e9, back, againNs / 1e9, twice);
    } finally {
      // The programs first (they are the spawner's children), then the spawner.
      new ProcessBuilder("pkill", "-9", "-P", Long.toString(spawner.pid())).start().waitFor();
      spawner.destroyForcibly().waitFor();
    }
  }

  /** CPU time of this JVM's threads by name (summed over threads of the same name), from schedstat. */
  private static java.util.Map<String, Long> jvmThreadCpu() throws Exception {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path t : tasks) {
        try {
          String name = Files.readString(t.resolve("comm")).trim().replaceAll("\\d+", "#");
          long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
          out.merge(name, ns, Long::sum);
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.merge(name + " (user)", Long.parseLong(f[11]) * 10_000_000L, Long::sum);
          out.merge(name + " (sys)", Long.parseLong(f[12]) * 10_000_000L, Long::sum);
        } catch (Exception e) {
          // exited
        }
      }
    }
    return out;
  }

  /** utime + stime of processes, in clock ticks, from /proc/PID/stat. */
  private static long cpuTicks(List<Integer> pids) throws Exception {
    long sum = 0;
    for (int pid : pids) {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
    return sum;
  }

  /** Cost of one call through a patched function, from the target's own loop. */
  private void callCost() throws Exception {
    try (TargetProgram p = TargetProgram.start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()),
        Fixtures.fixture("kfix-driver"))) {
      p.await(l -> l.startsWith("ready"));
      System.out.println("call cost: " + callCost(p, applyWork, revertWork, 7, "through the patch"));
    }
  }

  /**
   * The target's own {@code bench N} (ns per call), the function original and patched in turn,
   * {@code rounds} times: the minimum of each and the difference.
   */
  private String callCost(TargetProgram p, Operation apply, Operation revert, int rounds, String patchedAs)
      throws Exception {
    long calls = 200_000_000L;
    double[] plain = new double[rounds];
    double[] patched = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      plain[i] = Double.parseDouble(p.ask("bench " + calls, "bench"));
      run(p.pid(), apply, Outcome.APPLIED);
      patched[i] = Double.parseDouble(p.ask("bench " + calls, "bench"));
      run(p.pid(), revert, Outcome.REVERTED);
    }
    double a = Arrays.stream(plain).min().orElseThrow();
    double b = Arrays.stream(patched).min().orElseThrow();
    return String.format("original %.3f ns/call, %s %.3f ns/call: %+.3f ns (min of %d x %d calls)", a, patchedAs, b,
        b - a, rounds, calls);
  }

  /**
   * A function without padding (docs/design.md, "Functions without padding"): compressBound of the
   * system's own libz.so.1 in kfix-plain. Every apply arms an int3 and checks the threads; later
   * applies are no cheaper, because a revert gives the function its own bytes back.
   */
  private void unprepared() throws Exception {
    PatchContainer bound = PatchContainer.read(Fixtures.patch("unprepared/zlib_bound"));
    Operation apply = new Operation.Apply(bound);
    Operation revert = new Operation.Revert(bound.apply().id(), "zlib_bound.so");
    try (TargetProgram p = TargetProgram.startPreloaded(Fixtures.fixture("kfix-plain"))) {
      p.await(l -> l.startsWith("ready"));
      for (int i = 0; i < 300; i++) {
        run(p.pid(), apply, Outcome.APPLIED);
        run(p.pid(), revert, Outcome.REVERTED);
      }
      double[] applied = new double[500];
      double[] reverted = new double[500];
      for (int i = 0; i < applied.length; i++) {
        applied[i] = run(p.pid(), apply, Outcome.APPLIED).elapsed().toNanos() / 1e6;
        reverted[i] = run(p.pid(), revert, Outcome.REVERTED).elapsed().toNanos() / 1e6;
      }
      System.out.println("unprepared (compressBound of the system's libz.so.1), one-thread target, warm engine (ms):");
      System.out.println("  apply   " + stats(applied));
      System.out.println("  revert  " + stats(reverted));
      System.out.println("  call cost: " + callCost(p, apply, revert, 5, "through the jump and the near gate"));
    }
    System.out.println("  pause of the other threads, busy calling compressBound (max gap, µs):");
    for (int threads : new int[] {1, 8, 64}) {
      List<Long> control = new ArrayList<>();
      List<Long> cycles = new ArrayList<>();
      long held = 0;
      TracedStops.Tally kernel = new TracedStops.Tally();
      List<Double> applyMs = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        try (TargetProgram p = TargetProgram.startPreloaded(Fixtures.fixture("kfix-plain"))) {
          p.await(l -> l.startsWith("ready"));
          p.ask("threads " + threads, "threads");
          Thread.sleep(300);
          p.ask("gap", "gap");
          Thread.sleep(200);
          control.add(Long.parseLong(p.ask("gap", "gap")));
          try (TracedStops.Tally.Window traced = kernel.open(p.pid())) {
            long end = System.nanoTime() + 200_000_000L;
            while (System.nanoTime() < end) {
              OperationResult r = run(p.pid(), apply, Outcome.APPLIED);
              applyMs.add(r.elapsed().toNanos() / 1e6);
              held = Math.max(held, r.longestThreadStop().toNanos());
              held = Math.max(held, run(p.pid(), revert, Outcome.REVERTED).longestThreadStop().toNanos());
            }
          }
          cycles.add(Long.parseLong(p.ask("gap", "gap")));
          p.send("stats");
          String stats = p.await(l -> l.startsWith("stats"));
          if (!stats.endsWith("unexpected=0")) {
            throw new IllegalStateException(stats);
          }
        }
      }
      double[] latency = applyMs.stream().mapToDouble(Double::doubleValue).toArray();
      System.out.printf("    %2d threads: probe max gap: control %s | with apply/revert cycles %s%n", threads,
          median(control), median(cycles));
      System.out.printf("        longest hold of one application thread, measured by the engine: %.1f µs; apply %s%n",
          held / 1e3, stats(latency));
      System.out.printf("        longest hold in a ptrace stop, seen by the kernel's scheduler: %s%n",
          kernel.describe());
    }
  }

  /**
   * The consistency check (docs/design.md, "The consistency check"): gzread of the system's libz,
   * packed with --consistent. Every apply and revert stops every thread, unwinds each stack, and
   * commits within that stop; the hold is that stop.
   */
  private void consistent() throws Exception {
    PatchContainer gzread = PatchContainer.read(Fixtures.patch("unprepared/zlib_gzread_consistent"));
    Operation apply = new Operation.Apply(gzread);
    Operation revert = new Operation.Revert(gzread.apply().id(), "zlib_gzread_consistent.so");
    System.out.println("consistency check (gzread of the system's libz.so.1), warm engine:");
    for (int threads : new int[] {0, 1, 8}) {
      try (TargetProgram p = TargetProgram.startPreloaded(Fixtures.fixture("kfix-plain"))) {
        p.await(l -> l.startsWith("ready"));
        if (threads > 0) {
          p.ask("threads " + threads, "threads");
        }
        for (int i = 0; i < 50; i++) {
          run(p.pid(), apply, Outcome.APPLIED);
          run(p.pid(), revert, Outcome.REVERTED);
        }
        double[] applied = new double[200];
        double[] reverted = new double[200];
        long held = 0;
        for (int i = 0; i < applied.length; i++) {
          OperationResult a = run(p.pid(), apply, Outcome.APPLIED);
          OperationResult r = run(p.pid(), revert, Outcome.REVERTED);
          applied[i] = a.elapsed().toNanos() / 1e6;
          reverted[i] = r.elapsed().toNanos() / 1e6;
          held = Math.max(held, Math.max(a.longestThreadStop().toNanos(), r.longestThreadStop().toNanos()));
        }
        System.out.printf("  %d busy threads (+ main): apply %s; revert %s; longest hold of the threads %.1f µs%n",
            threads, stats(applied), stats(reverted), held / 1e3);
      }
    }
  }

  private static String stats(double[] ms) {
    double[] s = ms.clone();
    Arrays.sort(s);
    return String.format("median %.3f, p99 %.3f, max %.3f (n=%d)", s[s.length / 2], s[(int) (s.length * 0.99)],
        s[s.length - 1], s.length);
  }

  private static String median(List<Long> values) {
    List<Long> s = new ArrayList<>(values);
    s.sort(null);
    return s.get(s.size() / 2) + " (max " + s.get(s.size() - 1) + ")";
  }
}
