package io.kulp.agent.work;

import static io.kulp.agent.work.AgentFakes.LIBRARY;
import static io.kulp.agent.work.AgentFakes.SHA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.engine.ProcessPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the agent works through one LivePatchNode, pass after pass: waiting for a patch it cannot
 * fetch yet, not redoing a finished generation, acting on new processes only when it rescans,
 * reporting only what changed, and going on when the work on a process never ends.
 */
class NodeReconcilerTest {
  private static final String CONTAINER = "containerd://" + "c".repeat(64);
  private static final String OTHER_CONTAINER = "containerd://" + "d".repeat(64);
  private static final String V2 = "315c0237c8d877f36c849bc6b096570c";
  private static final Duration DEADLINE = Duration.ofMillis(300);

  private final AgentFakes.FakeEngine engine = new AgentFakes.FakeEngine();
  private final AgentFakes.FakeContainers containers = new AgentFakes.FakeContainers();
  private final AgentFakes.FakeFiles files = new AgentFakes.FakeFiles();
  private final AgentFakes.FakePatches patches = new AgentFakes.FakePatches(AgentFakes.patch(V2));
  private final AgentFakes.Reports reports = new AgentFakes.Reports();
  private final WorkerProgress progress = new WorkerProgress(Clock.systemUTC(), Duration.ofSeconds(1));
  private final ProcessPool pool = new ProcessPool("test", 2, DEADLINE, progress::progressed);
  private final NodeReconciler reconciler = NodeReconciler.of(engine, containers,
      (ns, pod, uid, c) -> Optional.empty(), patches, files, List.of("/tmp/.kulp"), pool, reports,
      AgentFakes.metrics(), Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC));

  @AfterEach
  void closePool() {
    engine.release.countDown();
    pool.close();
  }

  private void processes(int... pids) {
    processesIn(CONTAINER, pids);
  }

  private void processesIn(String container, int... pids) {
    for (int pid : pids) {
      engine.add(pid);
    }
    containers.add(container, pids);
  }

  private static LivePatchNode node(Action action, Mode mode, long generation) {
    return node("fix-node-a", CONTAINER, action, mode, generation);
  }

  private static LivePatchNode node(String name, String container, Action action, Mode mode, long generation) {
    LivePatchNodeSpec spec = new LivePatchNodeSpec();
    spec.livePatch = "fix";
    spec.nodeName = "node-a";
    spec.action = action;
    spec.mode = mode;
    spec.library = new LibrarySpec();
    spec.library.name = LIBRARY;
    spec.patch = new PatchSource();
    spec.patch.sha256 = SHA;
    spec.targets.add(pod("ns", "web", container));
    LivePatchNode lpn = new LivePatchNode();
    lpn.setMetadata(new ObjectMetaBuilder().withName(name).withUid("uid-" + name).withGeneration(generation)
        .build());
    lpn.setSpec(spec);
    return lpn;
  }

  private static TargetPod pod(String namespace, String name, String container) {
    TargetPod pod = new TargetPod();
    pod.namespace = namespace;
    pod.name = name;
    pod.uid = "uid-" + name;
    TargetContainer c = new TargetContainer();
    c.name = "app";
    c.containerID = container;
    pod.containers.add(c);
    return pod;
  }

  @Test
  void everyTargetProcessIsPatchedAndTheNodeSucceeds() {
    processes(101, 102);

    reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1));

    LivePatchNodeStatus last = reports.last();
    assertThat(last.phase).isEqualTo(NodePhase.Succeeded);
    assertThat(last.observedGeneration).isEqualTo(1L);
    assertThat(AgentFakes.counts(last)).isEqualTo(Map.of("Applied", 2));
    assertThat(reports.all.get(0).phase).isEqualTo(NodePhase.InProgress);
    assertThat(files.staged).containsOnlyKeys("/tmp/.kulp/kulp-" + SHA + ".so"); // once for the container
  }

  @Test
  void aPatchThatCannotBeFetchedYetIsWaitedForPassAfterPassThenFailsTheNode() {
    processes(101);
    patches.failures = Integer.MAX_VALUE;
    LivePatchNode lpn = node(Action.Apply, Mode.OneShot, 1);

    for (int pass = 1; pass < NodeReconciler.FETCH_ATTEMPTS; pass++) {
      reconciler.reconcile(lpn);
      assertThat(reports.last().phase).isEqualTo(NodePhase.InProgress);
      assertThat(reports.last().message).startsWith("waiting for the patch (attempt " + pass + " of "
          + NodeReconciler.FETCH_ATTEMPTS + "): configmap kulp-patches/fix not found");
      assertThat(reconciler.wantsRescan(lpn)).isTrue();
    }
    reconciler.reconcile(lpn);

    assertThat(reports.last().phase).isEqualTo(NodePhase.Failed);
    assertThat(reports.last().message).isEqualTo("configmap kulp-patches/fix not found");
    assertThat(engine.runs).isEmpty();
    assertThat(reconciler.wantsRescan(lpn)).isFalse();
  }

  @Test
  void aPatchThatArrivesWhileWaitedForIsApplied() {
    processes(101);
    patches.failures = 2;
    LivePatchNode lpn = node(Action.Apply, Mode.OneShot, 1);

    reconciler.reconcile(lpn);
    reconciler.reconcile(lpn);
    reconciler.reconcile(lpn);

    assertThat(reports.last().phase).isEqualTo(NodePhase.Succeeded);
    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Applied", 1));
  }

  @Test
  void aPatchWhoseBytesDoNotMatchItsDigestFailsTheNodeAtOnce() {
    processes(101);
    patches.refusal = "sha256";

    reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1));

    assertThat(reports.all).singleElement().satisfies(s -> {
      assertThat(s.phase).isEqualTo(NodePhase.Failed);
      assertThat(s.message).isEqualTo("patch refused: sha256");
    });
  }

  @Test
  void aOneShotGenerationIsDoneOnceAndNotRedoneByLaterPasses() {
    processes(101);
    LivePatchNode lpn = node(Action.Apply, Mode.OneShot, 1);
    reconciler.reconcile(lpn);
    int reads = engine.reads.size();
    processes(102); // started after the pass: a OneShot node does not patch it

    assertThat(reconciler.wantsRescan(lpn)).isFalse();
    reconciler.reconcile(lpn);

    assertThat(engine.reads).hasSize(reads);
    assertThat(engine.processes.get(102).patches()).isEmpty();
  }

  @Test
  void aOneShotGenerationThatAnEarlierAgentFinishedIsNotRedoneAfterARestart() {
    processes(101);
    LivePatchNode lpn = node(Action.Apply, Mode.OneShot, 1);
    lpn.setStatus(new LivePatchNodeStatus());
    lpn.getStatus().observedGeneration = 1L;
    lpn.getStatus().phase = NodePhase.Succeeded;

    reconciler.reconcile(lpn);

    assertThat(engine.reads).isEmpty();
    assertThat(reports.all).isEmpty();
  }

  @Test
  void aPassCutShortByTheAgentStoppingIsNotReportedFinishedAndTheNextAgentFinishesIt() throws Exception {
    processes(101, 102);
    engine.hanging.add(101);
    LivePatchNode lpn = node(Action.Apply, Mode.OneShot, 1);
    try (ProcessPool stoppingPool = new ProcessPool("stopping", 2, Duration.ofSeconds(30), progress::progressed)) {
      NodeReconciler stopping = NodeReconciler.of(engine, containers, (ns, pod, uid, c) -> Optional.empty(), patches,
          files, List.of("/tmp/.kulp"), stoppingPool, reports, AgentFakes.metrics(), Clock.systemUTC());
      Thread worker = new Thread(() -> stopping.reconcile(lpn), "stopping-agent-worker");
      worker.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.reads.contains(101) && engine.runs.size() == 1);
      worker.interrupt(); // WorkQueue.close, when the agent stops
      worker.join(Duration.ofSeconds(5).toMillis());
      assertThat(worker.isAlive()).isFalse();

      assertThat(reports.all).extracting(r -> r.phase).as("phases reported by the stopped agent").isNotEmpty()
          .containsOnly(NodePhase.InProgress);
      engine.release.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> stoppingPool.abandoned() == 0);
    }
    lpn.setStatus(reports.last());

    reconciler.reconcile(lpn); // the next agent

    assertThat(reports.last().phase).isEqualTo(NodePhase.Succeeded);
    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Applied", 2));
    assertThat(engine.runs).as("operations: 102 once by the stopped agent, 101 once by the next").hasSize(2);
  }

  @Test
  void aNewGenerationIsWorkedOnAgain() {
    processes(101);
    reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1));

    reconciler.reconcile(node(Action.Revert, Mode.OneShot, 2));

    assertThat(reports.last().observedGeneration).isEqualTo(2L);
    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Reverted", 1));
    assertThat(engine.processes.get(101).patches()).isEmpty();
  }

  @Test
  void aContinuousRescanActsOnlyOnProcessesItHasNotSeenAndReportsThemAll() {
    processes(101);
    LivePatchNode lpn = node(Action.Apply, Mode.Continuous, 1);
    reconciler.reconcile(lpn);
    engine.runOn.clear();
    processes(102);

    assertThat(reconciler.wantsRescan(lpn)).isTrue();
    reconciler.reconcile(lpn);

    assertThat(engine.runOn).extracting(io.kulp.engine.ProcessState::pid).containsExactly(102);
    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Applied", 2));
  }

  @Test
  void aProcessSkippedForLackingTheRuntimeIsLookedAtAgainOnARescanAndPatchedOnceItHasIt() {
    processes(101);
    engine.processes.get(101).runtime = false;
    LivePatchNode lpn = node(Action.Apply, Mode.Continuous, 1);
    reconciler.reconcile(lpn);
    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Skipped", 1));

    engine.processes.get(101).runtime = true; // it was caught while it started
    reconciler.reconcile(lpn);

    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Applied", 1));
  }

  @Test
  void aRescanThatChangesNothingWritesNoStatus() {
    processes(101);
    LivePatchNode lpn = node(Action.Apply, Mode.Continuous, 1);
    reconciler.reconcile(lpn);
    int written = reports.all.size();

    reconciler.reconcile(lpn);
    reconciler.reconcile(lpn);

    assertThat(reports.all).hasSize(written);
  }

  @Test
  void aProcessThatFailsFailsTheNodeWithItsReason() {
    processes(101, 102);
    engine.answer(102, io.kulp.engine.Outcome.FAILED, null, "process 102 is stopped (job control)");
    engine.answer(102, io.kulp.engine.Outcome.FAILED, null, "process 102 is stopped (job control)");

    reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1));

    LivePatchNodeStatus last = reports.last();
    assertThat(last.phase).isEqualTo(NodePhase.Failed);
    assertThat(last.records).filteredOn(r -> r.result == ProcessResult.Failed).singleElement()
        .satisfies(r -> assertThat(r.reason).isEqualTo("process 102 is stopped (job control)"));
  }

  @Test
  void aProcessFailingWhereTheFailurePolicyDoesNotCountFailuresIsReportedButTheNodeSucceeds() {
    processes(101);
    processesIn(OTHER_CONTAINER, 201);
    engine.answer(201, io.kulp.engine.Outcome.FAILED, null, "helper thread 1 is not a thread of process 201");
    engine.answer(201, io.kulp.engine.Outcome.FAILED, null, "helper thread 1 is not a thread of process 201");
    LivePatchNode lpn = node(Action.Apply, Mode.OneShot, 1);
    TargetPod tenant = pod("tenant", "evil", OTHER_CONTAINER);
    tenant.countFailures = false;
    lpn.getSpec().targets.add(tenant);

    reconciler.reconcile(lpn);

    LivePatchNodeStatus last = reports.last();
    assertThat(last.phase).isEqualTo(NodePhase.Succeeded);
    assertThat(AgentFakes.counts(last)).isEqualTo(Map.of("Applied", 1, "Failed", 1));
    assertThat(last.records).filteredOn(r -> r.result == ProcessResult.Failed).singleElement()
        .satisfies(r -> assertThat(r.namespace + "/" + r.pod + ": " + r.reason)
            .isEqualTo("tenant/evil: helper thread 1 is not a thread of process 201"));
    assertThat(last.message)
        .isEqualTo("1 process(es) failed in namespaces the failure policy does not count (tenant)");

    tenant.countFailures = null; // the same failure where failures count fails the node
    lpn.getMetadata().setGeneration(2L);
    engine.answer(201, io.kulp.engine.Outcome.FAILED, null, "helper thread 1 is not a thread of process 201");
    engine.answer(201, io.kulp.engine.Outcome.FAILED, null, "helper thread 1 is not a thread of process 201");
    reconciler.reconcile(lpn);
    assertThat(reports.last().phase).isEqualTo(NodePhase.Failed);
  }

  @Test
  void aRevertRemovesTheStagedFileOnceNoProcessOfTheContainerUsesIt() {
    processes(101);
    reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1));
    assertThat(files.staged).isNotEmpty();

    reconciler.reconcile(node(Action.Revert, Mode.OneShot, 2));

    assertThat(files.removed).containsExactly("/tmp/.kulp/kulp-" + SHA + ".so");
  }

  @Test
  void aProcessWhoseWorkNeverEndsIsReportedTimedOutAndThePassFinishes() {
    processes(101, 102);
    engine.hanging.add(101);

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1)));

    LivePatchNodeStatus last = reports.last();
    assertThat(last.phase).isEqualTo(NodePhase.Failed);
    assertThat(last.records).filteredOn(r -> r.hostPID == 101L).singleElement().satisfies(r -> {
      assertThat(r.result).isEqualTo(ProcessResult.Failed);
      assertThat(r.reason).isEqualTo("timed out after 300 ms");
    });
    assertThat(last.records).filteredOn(r -> r.hostPID == 102L).singleElement()
        .satisfies(r -> assertThat(r.result).isEqualTo(ProcessResult.Applied));
    assertThat(pool.abandoned()).isEqualTo(2); // the work on 101, and the cleaning of its container, which reads it
  }

  @Test
  void aProcessWhoseTimedOutWorkHasNotEndedIsNotStartedAgainUntilItEnds() {
    processes(101, 102);
    engine.hanging.add(101);
    reconciler.reconcile(node(Action.Apply, Mode.OneShot, 1));

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> reconciler.reconcile(node(Action.Revert, Mode.OneShot, 2)));

    assertThat(reports.last().records).filteredOn(r -> r.hostPID == 101L).singleElement()
        .satisfies(r -> assertThat(r.reason).startsWith("not started: the work of an earlier pass on it timed out"));
    assertThat(engine.reads).filteredOn(pid -> pid == 101).hasSize(2); // only the two reads that hang, of pass 1

    engine.release.countDown(); // the engine returns at last
    await().atMost(Duration.ofSeconds(5)).until(() -> pool.abandoned() == 0);
    reconciler.reconcile(node(Action.Revert, Mode.OneShot, 3));

    assertThat(AgentFakes.counts(reports.last())).isEqualTo(Map.of("Reverted", 2));
  }

  @Test
  void aProcessWhoseWorkNeverEndsDoesNotHoldUpTheOtherLivePatchNodes() {
    processes(101);
    processesIn(OTHER_CONTAINER, 201);
    engine.hanging.add(101);
    Map<String, LivePatchNode> nodes = Map.of(
        "fix-node-a", node("fix-node-a", CONTAINER, Action.Apply, Mode.Continuous, 1),
        "other-node-a", node("other-node-a", OTHER_CONTAINER, Action.Apply, Mode.Continuous, 1));
    try (WorkQueue queue = new WorkQueue(name -> reconciler.reconcile(nodes.get(name)), progress)) {
      queue.enqueue("fix-node-a");
      queue.enqueue("other-node-a");

      await().atMost(Duration.ofSeconds(5)).until(() -> reports.lastOf.containsKey("other-node-a")
          && reports.lastOf.get("other-node-a").phase == NodePhase.Succeeded);
      assertThat(reports.lastOf.get("fix-node-a").phase).isEqualTo(NodePhase.Failed);
      assertThat(progress.stalled()).isFalse(); // the pass went on: the worker is not stuck
    }
  }
}
