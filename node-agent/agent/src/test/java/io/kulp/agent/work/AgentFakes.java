package io.kulp.agent.work;

import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.host.StagingException;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.agent.patch.PatchRefused;
import io.kulp.agent.patch.Patches;
import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.elf.BuildId;
import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Engine;
import io.kulp.engine.EngineException;
import io.kulp.engine.Operation;
import io.kulp.engine.OperationResult;
import io.kulp.engine.Outcome;
import io.kulp.engine.ProcessState;
import io.kulp.engine.Reason;
import io.kulp.engine.RuntimeMessage;
import io.kulp.host.ContainerId;
import io.kulp.host.ContainerProcess;
import io.kulp.host.ContainerProcesses;
import io.kulp.host.LibraryLookup;
import io.kulp.host.LoadedObject;
import io.kulp.host.Mapping;
import io.kulp.patch.FunctionPair;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchId;
import io.kulp.patch.PatchKind;
import io.kulp.patch.PatchMetadata;
import io.kulp.testing.Blocking;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * Stand-ins for what the node agent's decisions depend on (the engine, the container processes,
 * the container files, the patch store, the status writer), so that those decisions are tested
 * without root, ptrace or a cluster. Each keeps what was asked of it, for the tests to check.
 */
final class AgentFakes {
  static final String LIBRARY = "libkfix.so.1";
  static final String SHA = "5".repeat(64);

  private AgentFakes() {}

  /** A verified patch of {@link #LIBRARY} with the given id (32 hex characters). */
  static VerifiedPatch patch(String idHex) {
    PatchMetadata apply = new PatchMetadata(PatchKind.APPLY, PatchId.ofHex(idHex), LIBRARY,
        BuildId.ofHex("64132f123900d5782d5ada55f1895dca57f104d2"), BuildId.ofHex("932fffd66e7091dbf71edfbfa40aac6c854e6a48"),
        List.of(new FunctionPair("kfix_value", "kfix_value_v2", 0x20ee)), List.of(), List.of());
    return new VerifiedPatch(SHA, new PatchContainer(Path.of("/cache/" + SHA + ".so"),
        new byte[] {4}, apply, Optional.empty()));
  }

  static AppliedPatch applied(String id, String library, String path) {
    return new AppliedPatch(id, library, path, Instant.EPOCH, List.of(), List.of());
  }

  /** A process as the fake engine holds it: whether it has the runtime, its libraries, its patches. */
  static final class FakeProcess implements ProcessState {
    final int pid;
    boolean runtime = true;
    /** The ABI version its runtime speaks, when another kulp release's: the engine cannot read it. */
    volatile Integer otherRuntimeVersion;
    boolean gone;
    final Set<String> libraries = new HashSet<>(Set.of(LIBRARY));
    final List<AppliedPatch> patches = new CopyOnWriteArrayList<>();

    FakeProcess(int pid) {
      this.pid = pid;
    }

    @Override
    public int pid() {
      return pid;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public List<AppliedPatch> patches() {
      return List.copyOf(patches);
    }

    @Override
    public LibraryLookup find(String library) {
      return libraries.contains(library) ? new LibraryLookup.Loaded(new LoadedObject("/lib/" + library, library,
          new Mapping(0, 0x1000, "r--p", 0, "fd:01", 1, "/lib/" + library)), Optional.empty())
          : new LibraryLookup.NotLoaded(library);
    }
  }

  /**
   * An engine over {@link FakeProcess}es. An apply adds the patch, a revert removes it, unless a
   * scripted answer for that process comes first; every read and run is counted.
   */
  static final class FakeEngine implements Engine {
    final Map<Integer, FakeProcess> processes = new ConcurrentHashMap<>();
    final Map<Integer, Deque<OperationResult>> scripted = new ConcurrentHashMap<>();
    final List<Integer> reads = new CopyOnWriteArrayList<>();
    final List<Operation> runs = new CopyOnWriteArrayList<>();
    final List<ProcessState> runOn = new CopyOnWriteArrayList<>();
    /** What happens in the processes right after each run (another agent, the application...). */
    Runnable afterRun = () -> {};
    /** Processes whose read never returns (deaf to interrupts, like a system call) until {@link #release}. */
    final Set<Integer> hanging = ConcurrentHashMap.newKeySet();
    final CountDownLatch release = new CountDownLatch(1);

    FakeProcess add(int pid) {
      FakeProcess p = new FakeProcess(pid);
      processes.put(pid, p);
      return p;
    }

    /** The next run on {@code pid} ends with {@code outcome} and {@code reason}, changing nothing. */
    void answer(int pid, Outcome outcome, Reason reason, String message) {
      scripted.computeIfAbsent(pid, k -> new ArrayDeque<>()).add(new OperationResult(pid, "fake", "op", outcome, reason,
          message, Duration.ZERO, Duration.ZERO));
    }

    @Override
    public ProcessState read(int pid) throws EngineException {
      reads.add(pid);
      if (hanging.contains(pid)) {
        Blocking.hang(release);
      }
      FakeProcess p = processes.get(pid);
      if (p == null || p.gone) {
        throw exception(Outcome.FAILED, Reason.GONE, "no such process: " + pid + " (it exited)");
      }
      if (!p.runtime) {
        throw exception(Outcome.SKIPPED, Reason.NO_RUNTIME, "libpulp.so is not loaded in process " + pid);
      }
      if (p.otherRuntimeVersion != null) {
        throw exception(Outcome.SKIPPED, Reason.OTHER_RUNTIME_VERSION, "process " + pid
            + ": its kulp runtime speaks ABI version " + p.otherRuntimeVersion);
      }
      return p;
    }

    @Override
    public List<OperationResult> run(ProcessState state, List<Operation> ops) {
      List<OperationResult> results = new ArrayList<>();
      FakeProcess p = (FakeProcess) state;
      for (Operation op : ops) {
        runs.add(op);
        runOn.add(state);
        Deque<OperationResult> answers = scripted.get(p.pid);
        if (answers != null && !answers.isEmpty()) {
          results.add(answers.poll());
          afterRun.run();
          continue;
        }
        Outcome outcome;
        if (op instanceof Operation.Apply a) {
          p.patches.add(applied(a.patch().apply().id().hex(), a.patch().apply().targetLibrary(), a.pathInTarget()));
          outcome = Outcome.APPLIED;
        } else if (op instanceof Operation.Revert r) {
          p.patches.removeIf(x -> x.id().equals(r.id().hex()));
          outcome = Outcome.REVERTED;
        } else {
          p.patches.removeIf(x -> x.library().equals(((Operation.RevertAll) op).library()));
          outcome = Outcome.REVERTED;
        }
        results.add(new OperationResult(p.pid, "fake", op.describe(), outcome, null, "", Duration.ZERO, Duration.ZERO));
      }
      afterRun.run();
      return results;
    }

    @Override
    public List<OperationResult> run(int pid, List<Operation> ops) {
      try {
        return run(read(pid), ops);
      } catch (EngineException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public List<RuntimeMessage> messages(int pid) {
      return List.of();
    }

    @Override
    public void close() {}

    private static EngineException exception(Outcome outcome, Reason reason, String message) {
      return new EngineException(outcome, reason, message);
    }
  }

  /** Containers on a pretend host: ID to processes; a process removed from {@link #running} has exited. */
  static final class FakeContainers implements ContainerProcesses {
    final Map<String, List<ContainerProcess>> byId = new ConcurrentHashMap<>();
    final Set<Integer> running = ConcurrentHashMap.newKeySet();

    void add(String containerId, int... pids) {
      List<ContainerProcess> list = byId.computeIfAbsent(containerId, k -> new CopyOnWriteArrayList<>());
      for (int pid : pids) {
        list.add(new ContainerProcess(pid, pid, 1000 + pid));
        running.add(pid);
      }
    }

    @Override
    public List<ContainerProcess> find(ContainerId container, String podUid) {
      return byId.getOrDefault(container.toString(), List.of()).stream().filter(p -> running.contains(p.hostPid()))
          .toList();
    }

    @Override
    public boolean isRunning(ContainerProcess process) {
      return running.contains(process.hostPid());
    }
  }

  /** Container files that keep what was staged, by container root (the PID staged through). */
  static final class FakeFiles implements ContainerFiles {
    final Map<String, Integer> staged = new ConcurrentHashMap<>();
    final List<String> removed = new CopyOnWriteArrayList<>();
    String refusal;

    @Override
    public String stage(int pid, List<String> dirs, String name, Path source, String sha256) throws StagingException {
      if (refusal != null) {
        throw new StagingException(refusal);
      }
      String path = dirs.get(0) + "/" + name;
      staged.merge(path, 1, Integer::sum);
      return path;
    }

    @Override
    public void remove(int pid, String path) {
      removed.add(path);
      staged.remove(path);
    }

    @Override
    public List<String> staged(int pid, List<String> dirs) {
      return staged.keySet().stream().filter(p -> dirs.stream().anyMatch(d -> p.startsWith(d + "/"))).toList();
    }
  }

  /** Patches that cannot be fetched for the first {@code failures} asks, then are there. */
  static final class FakePatches implements Patches {
    final VerifiedPatch patch;
    int failures;
    String refusal;
    int asks;

    FakePatches(VerifiedPatch patch) {
      this.patch = patch;
    }

    @Override
    public VerifiedPatch get(PatchSource source, LibrarySpec library) throws PatchRefused {
      asks++;
      if (refusal != null) {
        throw new PatchRefused(refusal, "patch refused: " + refusal);
      }
      if (failures > 0) {
        failures--;
        throw new PatchRefused("fetch", "configmap kulp-patches/fix not found");
      }
      return patch;
    }
  }

  /** The status reports, in order, and the last one of each LivePatchNode. */
  static final class Reports implements StatusSink {
    final List<LivePatchNodeStatus> all = new CopyOnWriteArrayList<>();
    final Map<String, LivePatchNodeStatus> lastOf = new ConcurrentHashMap<>();

    @Override
    public void submit(String name, String uid, LivePatchNodeStatus status) {
      all.add(status);
      lastOf.put(name, status);
    }

    LivePatchNodeStatus last() {
      return all.get(all.size() - 1);
    }
  }

  static AgentMetrics metrics() {
    return new AgentMetrics();
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static Map<String, Integer> counts(LivePatchNodeStatus status) {
    Map<String, Integer> c = new HashMap<>();
    status.records.forEach(r -> c.merge(r.result.name(), 1, Integer::sum));
    return c;
  }
}
