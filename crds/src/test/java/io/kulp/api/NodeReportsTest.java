package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.NodePhase;
import org.junit.jupiter.api.Test;

class NodeReportsTest {

  /** A LivePatchNode at generation 2 whose agent reported {@code phase} for {@code observed}. */
  static LivePatchNode reported(Long observed, NodePhase phase) {
    var lpn = new LivePatchNode();
    lpn.setMetadata(new ObjectMetaBuilder().withName("lp.n1").withGeneration(2L).build());
    var status = new LivePatchNodeStatus();
    status.observedGeneration = observed;
    status.phase = phase;
    lpn.setStatus(status);
    return lpn;
  }

  @Test
  void succeededOrFailedForTheCurrentGenerationIsFinal() {
    assertThat(NodeReports.isFinal(reported(2L, NodePhase.Succeeded))).isTrue();
    assertThat(NodeReports.isFinal(reported(2L, NodePhase.Failed))).isTrue();
  }

  @Test
  void inProgressIsNotFinal() {
    assertThat(NodeReports.isFinal(reported(2L, NodePhase.InProgress))).isFalse();
    assertThat(NodeReports.isForCurrentGeneration(reported(2L, NodePhase.InProgress))).isTrue();
  }

  @Test
  void aReportOnAnEarlierGenerationCountsForNothing() {
    assertThat(NodeReports.isFinal(reported(1L, NodePhase.Succeeded))).isFalse();
    assertThat(NodeReports.isForCurrentGeneration(reported(1L, NodePhase.Succeeded))).isFalse();
    assertThat(NodeReports.isFinal(reported(null, NodePhase.Succeeded))).isFalse();
  }

  @Test
  void noReportIsNotFinal() {
    var lpn = reported(2L, NodePhase.Succeeded);
    lpn.setStatus(null);

    assertThat(NodeReports.isForCurrentGeneration(lpn)).isFalse();
    assertThat(NodeReports.isFinal(lpn)).isFalse();
  }
}
