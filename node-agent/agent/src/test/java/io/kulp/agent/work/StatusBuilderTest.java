package io.kulp.agent.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.StatusLimits;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.host.ContainerProcess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  private static ProcessReport outcome(int pid, ProcessResult result, String reason) {
    return new ProcessReport(new ProcessTarget("ns", "pod-" + pid, "app", "containerd://" + "a".repeat(64),
        new ContainerProcess(pid, 1, 1000L + pid)), result, reason);
  }

  @Test
  void countsEveryProcessAndRecordsFailuresFirstThenSkippedThenTheRest() {
    LivePatchNodeStatus s = StatusBuilder.build(7, NodePhase.Failed, List.of(
        outcome(10, ProcessResult.Applied, null), outcome(11, ProcessResult.Skipped, "other build"),
        outcome(12, ProcessResult.Failed, "boom"), outcome(13, ProcessResult.Applied, null)), null, NOW);

    assertThat(s.observedGeneration).isEqualTo(7);
    assertThat(s.summary.matched).isEqualTo(4);
    assertThat(s.summary.applied).isEqualTo(2);
    assertThat(s.summary.skipped).isEqualTo(1);
    assertThat(s.summary.failed).isEqualTo(1);
    assertThat(s.records).extracting(r -> r.hostPID).containsExactly(12L, 11L, 10L, 13L);
    assertThat(s.records.get(0).startTime).isEqualTo(1012L);
    assertThat(s.recordsOmitted).isZero();
    assertThat(s.lastReportTime).isEqualTo("2026-01-02T03:04:05Z");
  }

  @Test
  void keepsAtMost200RecordsAndCountsTheSkippedAndFailedThatDidNotFit() {
    List<ProcessReport> outcomes = new ArrayList<>();
    for (int pid = 1; pid <= 1000; pid++) {
      outcomes.add(outcome(pid, pid <= 250 ? ProcessResult.Skipped : ProcessResult.Applied, "library not loaded"));
    }
    LivePatchNodeStatus s = StatusBuilder.build(1, NodePhase.Succeeded, outcomes, null, NOW);

    assertThat(s.records).hasSize(StatusLimits.MAX_RECORDS).allMatch(r -> r.result == ProcessResult.Skipped);
    assertThat(s.recordsOmitted).isEqualTo(50);
    assertThat(s.summary.matched).isEqualTo(1000);
    assertThat(s.summary.applied).isEqualTo(750);
  }

  @Test
  void cutsReasonsToTheLengthTheCrdAllows() {
    ProcessRecord r = StatusBuilder.build(1, NodePhase.Failed,
        List.of(outcome(1, ProcessResult.Failed, "x".repeat(2000))), null, NOW).records.get(0);

    assertThat(r.reason).hasSize(StatusLimits.MAX_REASON_LENGTH);
  }

  @Test
  void escapesControlAndFormatCharactersOfReasonsAndTheMessage() {
    String hostile = "boom\u001b[2J\rInjected: applied\n\u0000\u202egnp.\u200b\ud800";
    String shown = "boom\\u001b[2J\\rInjected: applied\\n\\u0000\\u202egnp.\\u200b\\ud800";

    LivePatchNodeStatus s = StatusBuilder.build(1, NodePhase.Failed, List.of(outcome(1, ProcessResult.Failed, hostile)),
        "patch refused: " + hostile, NOW);

    assertThat(s.records.get(0).reason).isEqualTo(shown);
    assertThat(s.message).isEqualTo("patch refused: " + shown);
  }

  @Test
  void keepsPrintableTextAsItIsAndCutsTheMessageToItsLimit() {
    String text = "libkfix.so.1 build-id mismatch: \u00e9t\u00e9 \ud83d\ude00 \\ \"quoted\"";

    LivePatchNodeStatus s = StatusBuilder.build(1, NodePhase.Failed, List.of(outcome(1, ProcessResult.Failed, text)),
        "m".repeat(5000), NOW);

    assertThat(s.records.get(0).reason).isEqualTo(text);
    assertThat(s.message).hasSize(StatusBuilder.MAX_MESSAGE_LENGTH).endsWith("\u2026");
  }
}
