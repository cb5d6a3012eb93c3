package io.kulp.agent.work;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.agent.patch.PatchRefused;
import io.kulp.agent.patch.Patches;
import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.NodeReports;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.Engine;
import io.kulp.engine.ProcessPool;
import io.kulp.host.ContainerProcesses;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the processes of one LivePatchNode to its desired state and reports them (the agent
 * contract of docs/api.md). Called on one thread at a time. For a generation it has not finished,
 * it gets the patch (verified), finds the target processes, brings each new one to the desired
 * state in parallel on a bounded pool, each within a deadline, removes staged files no process uses
 * any more, and reports.
 * In Continuous mode each later call is a rescan that acts only on processes it has not seen yet.
 */
public final class NodeReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(NodeReconciler.class);
  /** Passes (the first, then one per rescan) that may fail to fetch the patch before the node fails. */
  static final int FETCH_ATTEMPTS = 6;
  /**
   * The longest the agent waits for the work on one process (reads, staging, and up to
   * {@link ProcessWork#ATTEMPTS} operations, each of which the engine bounds to 10 s): the process
   * is then reported Failed, "timed out after 60 s", and the pass goes on ({@link ProcessPool}).
   */
  public static final Duration PROCESS_DEADLINE = Duration.ofSeconds(60);

  private final TargetProcesses targets;
  private final ProcessWork work;
  private final ContainerStaging staging;
  private final Patches patches;
  private final ProcessPool pool;
  private final StatusSink sink;
  private final AgentMetrics metrics;
  private final Clock clock;
  private final Map<String, GenerationProgress> progress = new ConcurrentHashMap<>();

  /**
   * @param targets finds the processes of the target containers
   * @param work brings one process to the desired state
   * @param staging stages patches into containers and removes them
   * @param patches the verified patches
   * @param pool where processes are worked on in parallel, each within its deadline
   * @param sink where the status reports go
   */
  NodeReconciler(TargetProcesses targets, ProcessWork work, ContainerStaging staging, Patches patches,
      ProcessPool pool, StatusSink sink, AgentMetrics metrics, Clock clock) {
    this.targets = targets;
    this.work = work;
    this.staging = staging;
    this.patches = patches;
    this.pool = pool;
    this.sink = sink;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * The reconciler of a node agent.
   *
   * @param containers finds the processes of a container on this host
   * @param pods the pod watch: container IDs the kubelet reports now
   * @param files writes, lists and removes files inside containers
   * @param stagingDirs the candidate staging directories inside containers, in order of preference
   */
  public static NodeReconciler of(Engine engine, ContainerProcesses containers, PodLookup pods, Patches patches,
      ContainerFiles files, List<String> stagingDirs, ProcessPool pool, StatusSink sink, AgentMetrics metrics,
      Clock clock) {
    TargetProcesses targets = new TargetProcesses(containers, pods);
    return new NodeReconciler(targets, new ProcessWork(engine, metrics, targets),
        new ContainerStaging(engine, files, stagingDirs), patches, pool, sink, metrics, clock);
  }

  /** Whether a later rescan may have work: Continuous, or a generation not finished yet. */
  public boolean wantsRescan(LivePatchNode lpn) {
    GenerationProgress p = progress.get(lpn.getMetadata().getName());
    return lpn.getSpec().mode == Mode.Continuous || p == null
        || !p.isFor(lpn.getMetadata().getUid(), lpn.getMetadata().getGeneration()) || !p.finished;
  }

  /** Stop managing a LivePatchNode that was deleted (not a revert). */
  public void forget(String name) {
    progress.remove(name);
  }

  public void reconcile(LivePatchNode lpn) {
    String name = lpn.getMetadata().getName();
    String uid = lpn.getMetadata().getUid();
    long generation = lpn.getMetadata().getGeneration();
    LivePatchNodeSpec spec = lpn.getSpec();
    GenerationProgress p = progress.get(name);
    boolean fresh = p == null || !p.isFor(uid, generation);
    if (fresh) {
      p = new GenerationProgress(uid, generation);
      progress.put(name, p);
      if (spec.mode != Mode.Continuous && NodeReports.isFinal(lpn)) {
        p.finished = true; // done before this agent (re)started; a OneShot generation is not redone
        return;
      }
    }
    if (p.finished && spec.mode != Mode.Continuous) {
      return;
    }

    DesiredState desired;
    try {
      desired = desiredState(spec);
    } catch (PatchRefused e) {
      metrics.patchRefused(e.reason());
      LOG.atWarn().addKeyValue("livePatchNode", name).addKeyValue("generation", generation)
          .log(e.getMessage());
      // Bytes that do not match sha256, or a patch for another library, never will: fail now. A
      // source that cannot be read yet (a ConfigMap applied after its LivePatch) is retried on
      // the next rescans first.
      if ("fetch".equals(e.reason()) && ++p.fetchFailures < FETCH_ATTEMPTS) {
        report(name, p, NodePhase.InProgress, "waiting for the patch (attempt " + p.fetchFailures
            + " of " + FETCH_ATTEMPTS + "): " + e.getMessage());
        return;
      }
      p.finished = true;
      report(name, p, NodePhase.Failed, e.getMessage());
      return;
    }

    TargetProcesses.Found found = targets.find(spec);
    Set<ProcessTarget.ProcessKey> present = new HashSet<>();
    List<ProcessTarget> todo = new ArrayList<>();
    for (ProcessTarget t : found.processes()) {
      present.add(t.key());
      ProcessReport known = p.known.get(t.key());
      if (known == null || known.recheck()) {
        todo.add(t);
      }
    }
    p.known.keySet().retainAll(present);
    if (!todo.isEmpty()) {
      if (fresh || !p.finished) {
        report(name, p, NodePhase.InProgress, found.note());
      }
      List<ProcessTarget> changed = act(name, generation, p, todo, desired);
      if (Thread.currentThread().isInterrupted()) {
        // The agent is stopping (its pod deleted, drained, updated): the pass was cut short, and
        // the processes it did not get to are not gone. Nothing final is reported, so that the
        // next agent finds the node in progress and finishes it.
        report(name, p, NodePhase.InProgress, "the agent stopped during its pass; the next agent finishes it");
        return;
      }
      staging.cleanAfterPass(changed, found.processes(), pool);
    }
    p.finished = true;
    NodeVerdict verdict = NodeVerdict.of(spec.action, p.known.values(), spec.targets, found.note());
    report(name, p, verdict.phase(), verdict.message());
  }

  private DesiredState desiredState(LivePatchNodeSpec spec) throws PatchRefused {
    String library = spec.library == null ? null : spec.library.name;
    if (spec.action == Action.RevertAll) {
      return new DesiredState(Action.RevertAll, library, null, null);
    }
    if (spec.patch == null) {
      throw new PatchRefused("fetch", "spec.patch is missing for action " + spec.action);
    }
    VerifiedPatch patch;
    try {
      patch = patches.get(spec.patch, spec.library);
    } catch (PatchRefused e) {
      if (spec.action != Action.Revert || "metadata".equals(e.reason())) {
        throw e;
      }
      // The patch file is gone (or changed): revert what this agent staged under its digest.
      LOG.atWarn().addKeyValue("sha256", spec.patch.sha256)
          .log("reverting by staged file name: " + e.getMessage());
      patch = null;
    }
    return new DesiredState(spec.action, library != null ? library
        : patch != null ? patch.container().apply().targetLibrary() : null, patch, spec.patch.sha256);
  }

  /** Brings {@code todo} to the desired state; returns the processes whose outcome changed. */
  private List<ProcessTarget> act(String name, long generation, GenerationProgress p, List<ProcessTarget> todo,
      DesiredState desired) {
    StagedPatches staged = desired.patch() == null ? null : staging.forPass(desired.patch());
    List<ProcessReport> reports = pool.map(todo, ProcessTarget::key, t -> work.bring(t, desired, staged), (t, why) -> {
      metrics.processGivenUp();
      return new ProcessReport(t, ProcessResult.Failed, why);
    });
    List<ProcessTarget> changed = new ArrayList<>();
    for (ProcessReport o : reports) {
      if (o == null) {
        continue; // gone
      }
      ProcessReport before = p.known.put(o.target().key(), o);
      if (before != null && before.result() == o.result() && Objects.equals(before.reason(), o.reason())) {
        continue; // a recheck that found nothing new
      }
      changed.add(o.target());
      LOG.atInfo().addKeyValue("livePatchNode", name).addKeyValue("generation", generation)
          .addKeyValue("pod", o.target().namespace() + "/" + o.target().pod())
          .addKeyValue("container", o.target().container()).addKeyValue("hostPID", o.target().pid())
          .addKeyValue("result", o.result().name()).addKeyValue("reason", Objects.toString(o.reason(), ""))
          .log("process " + o.target().pid() + ": " + o.result());
    }
    return changed;
  }

  private void report(String name, GenerationProgress p, NodePhase phase, String message) {
    LivePatchNodeStatus status = StatusBuilder.build(p.generation, phase, p.known.values(), message, clock.instant());
    status.lastReportTime = null;
    String key = Serialization.asJson(status);
    if (key.equals(p.lastReport)) {
      return; // a rescan that changed nothing
    }
    p.lastReport = key;
    status.lastReportTime = clock.instant().toString();
    sink.submit(name, p.uid, status);
  }
}
