package io.kulp.agent.work;

import static io.kulp.agent.work.AgentFakes.LIBRARY;
import static io.kulp.agent.work.AgentFakes.SHA;
import static io.kulp.agent.work.AgentFakes.applied;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.Operation;
import io.kulp.engine.Outcome;
import io.kulp.engine.Reason;
import io.kulp.host.ContainerProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the agent brings one process to the desired state, decided from one read of it. */
class ProcessWorkTest {
  private static final String CONTAINER = "containerd://" + "c".repeat(64);
  private static final String V2 = "315c0237c8d877f36c849bc6b096570c";
  private static final VerifiedPatch PATCH = AgentFakes.patch(V2);
  private static final DesiredState APPLY = new DesiredState(Action.Apply, LIBRARY, PATCH, SHA);
  private static final DesiredState REVERT = new DesiredState(Action.Revert, LIBRARY, PATCH, SHA);

  private final AgentFakes.FakeEngine engine = new AgentFakes.FakeEngine();
  private final AgentFakes.FakeContainers containers = new AgentFakes.FakeContainers();
  private final AgentFakes.FakeFiles files = new AgentFakes.FakeFiles();
  private final ProcessWork work = new ProcessWork(engine, AgentFakes.metrics(),
      new TargetProcesses(containers, (ns, pod, uid, c) -> java.util.Optional.empty()));

  private ProcessTarget process(int pid) {
    engine.add(pid);
    containers.add(CONTAINER, pid);
    return new ProcessTarget("ns", "web", "app", CONTAINER, new ContainerProcess(pid, pid, 1000 + pid));
  }

  private StagedPatches staging() {
    return new StagedPatches(files, List.of("/tmp/.kulp"), PATCH);
  }

  @Test
  void anApplyIsMadeOnTheVeryReadItWasDecidedFromWithThePatchStagedInTheContainer() {
    ProcessTarget target = process(100);

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Applied);
    assertThat(engine.reads).containsExactly(100);
    assertThat(engine.runOn).containsExactly(engine.processes.get(100));
    assertThat(engine.runs).singleElement().isInstanceOfSatisfying(Operation.Apply.class,
        a -> assertThat(a.pathInTarget()).isEqualTo("/tmp/.kulp/kulp-" + SHA + ".so"));
  }

  @Test
  void aProcessThatAlreadyHasThePatchIsReportedWithoutAnOperationOrAStagedFile() {
    ProcessTarget target = process(100);
    engine.processes.get(100).patches.add(applied(V2, LIBRARY, "/tmp/.kulp/kulp-" + SHA + ".so"));

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Applied);
    assertThat(engine.runs).isEmpty();
    assertThat(files.staged).isEmpty();
  }

  @Test
  void aProcessWithoutTheRuntimeIsSkippedAndLookedAtAgainOnTheNextRescan() {
    ProcessTarget target = process(100);
    engine.processes.get(100).runtime = false;

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Skipped);
    assertThat(report.reason()).isEqualTo("libpulp.so is not loaded in process 100: start it with"
        + " LD_PRELOAD=.../libpulp.so");
    assertThat(report.recheck()).isTrue();
    assertThat(engine.runs).isEmpty();
  }

  @Test
  void aProcessOfAnInjectedContainerWithoutTheRuntimeIsSkippedWithWhyItHasNone() {
    ProcessTarget plain = process(100);
    ProcessTarget target = new ProcessTarget(plain.namespace(), plain.pod(), plain.container(), plain.containerID(),
        plain.process(), true);
    engine.processes.get(100).runtime = false;

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Skipped);
    assertThat(report.reason()).isEqualTo("libpulp.so is not loaded in process 100, though kulp injected its"
        + " container: it was started without the container's LD_PRELOAD (an entrypoint or a parent that clears or"
        + " replaces the environment)");
    assertThat(report.recheck()).isTrue();
  }

  @Test
  void aProcessWithoutTheLibraryIsSkippedAndLookedAtAgainEvenForARevert() {
    ProcessTarget target = process(100);
    engine.processes.get(100).libraries.clear();

    ProcessReport report = work.bring(target, REVERT, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Skipped);
    assertThat(report.reason()).isEqualTo(LIBRARY + " is not loaded in process 100");
    assertThat(report.recheck()).isTrue();
  }

  @Test
  void aSkipFromTheRuntimeIsCheckedAgainstANewReadSoThatARaceWithAnotherApplyCountsAsApplied() {
    ProcessTarget target = process(100);
    AgentFakes.FakeProcess p = engine.processes.get(100);
    engine.answer(100, Outcome.SKIPPED, Reason.ALREADY_APPLIED, "patch is already applied");
    // another agent's apply landed between this read and this run:
    engine.afterRun = () -> p.patches.add(applied(V2, LIBRARY, "/elsewhere.so"));

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Applied);
    assertThat(engine.reads).containsExactly(100, 100);
  }

  @Test
  void aSkipForAnotherBuildIsReportedWithTheRuntimesReason() {
    ProcessTarget target = process(100);
    engine.answer(100, Outcome.SKIPPED, Reason.OTHER_BUILD, LIBRARY + " build-id mismatch");

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Skipped);
    assertThat(report.reason()).isEqualTo(LIBRARY + " build-id mismatch");
    assertThat(report.recheck()).isFalse();
  }

  @Test
  void aRevertTheRuntimeRefusesFailsForThePatchStaysInTheProcess() {
    ProcessTarget target = process(100);
    engine.processes.get(100).patches.add(applied(V2, LIBRARY, "/tmp/.kulp/kulp-" + SHA + ".so"));
    engine.answer(100, Outcome.SKIPPED, null, "runtime disabled: ulp set_patchable disable keeps live patching out");

    ProcessReport report = work.bring(target, REVERT, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Failed);
    assertThat(report.reason()).startsWith("runtime disabled");
  }

  @Test
  void aRuntimeOfAnotherReleaseIsSkippedForAnApplyButFailsARevertSinceItsPatchesCannotBeRead() {
    ProcessTarget target = process(100);
    engine.processes.get(100).otherRuntimeVersion = 2;

    ProcessReport apply = work.bring(target, APPLY, staging());
    ProcessReport revert = work.bring(target, REVERT, staging());

    assertThat(apply.result()).isEqualTo(ProcessResult.Skipped);
    assertThat(revert.result()).isEqualTo(ProcessResult.Failed);
    assertThat(revert.reason()).isEqualTo("process 100: its kulp runtime speaks ABI version 2");
    assertThat(engine.runs).isEmpty();
  }

  @Test
  void aFailureIsTriedOnceMoreFromAFreshReadThenReported() {
    ProcessTarget target = process(100);
    engine.answer(100, Outcome.FAILED, null, "a thread kept sitting at a function entry to patch");
    engine.answer(100, Outcome.FAILED, null, "a thread kept sitting at a function entry to patch");

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Failed);
    assertThat(report.reason()).isEqualTo("a thread kept sitting at a function entry to patch");
    assertThat(engine.runs).hasSize(ProcessWork.ATTEMPTS);
    assertThat(engine.reads).hasSize(ProcessWork.ATTEMPTS);
  }

  @Test
  void aFailureThatTheSecondAttemptOvercomesIsApplied() {
    ProcessTarget target = process(100);
    engine.answer(100, Outcome.FAILED, null, "timed out");

    assertThat(work.bring(target, APPLY, staging()).result()).isEqualTo(ProcessResult.Applied);
  }

  @Test
  void aProcessThatExitedIsNotReported() {
    ProcessTarget target = process(100);
    engine.processes.get(100).gone = true;

    assertThat(work.bring(target, APPLY, staging())).isNull();
  }

  @Test
  void aProcessThatExitsDuringTheOperationIsNotReported() {
    ProcessTarget target = process(100);
    engine.answer(100, Outcome.FAILED, null, "cannot talk to the kulp runtime");
    containers.running.remove(100);

    assertThat(work.bring(target, APPLY, staging())).isNull();
  }

  @Test
  void aPatchThatCannotBeStagedFailsTheProcessWithTheReason() {
    ProcessTarget target = process(100);
    files.refusal = "no staging directory is usable in process 100";

    ProcessReport report = work.bring(target, APPLY, staging());

    assertThat(report.result()).isEqualTo(ProcessResult.Failed);
    assertThat(report.reason()).isEqualTo("no staging directory is usable in process 100");
    assertThat(engine.runs).isEmpty();
  }
}
