package io.kulp.agent.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.host.ContainerProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whose failures fail a node: those the LivePatch's failure policy counts, and every failed revert. */
class NodeVerdictTest {
  private final TargetPod platform = pod("platform", "api", null);
  private final TargetPod tenant = pod("tenant", "evil", false);
  private final List<ProcessReport> tenantFailed = List.of(
      report(platform, 100, ProcessResult.Applied), report(tenant, 200, ProcessResult.Failed));

  @Test
  void anApplyThatFailedOnlyWhereFailuresDoNotCountSucceedsNamingThem() {
    NodeVerdict v = NodeVerdict.of(Action.Apply, tenantFailed, List.of(platform, tenant), "a note");

    assertThat(v.phase()).isEqualTo(NodePhase.Succeeded);
    assertThat(v.message())
        .isEqualTo("a note; 1 process(es) failed in namespaces the failure policy does not count (tenant)");
  }

  @Test
  void aFailureWhereFailuresCountFailsTheNode() {
    List<ProcessReport> reports = List.of(report(platform, 100, ProcessResult.Failed));

    assertThat(NodeVerdict.of(Action.Apply, reports, List.of(platform, tenant), null).phase())
        .isEqualTo(NodePhase.Failed);
  }

  @Test
  void aRevertThatFailedAnywhereFailsTheNodeForThePatchStillRunsThere() {
    for (Action revert : List.of(Action.Revert, Action.RevertAll)) {
      NodeVerdict v = NodeVerdict.of(revert, tenantFailed, List.of(platform, tenant), null);

      assertThat(v.phase()).as(revert.name()).isEqualTo(NodePhase.Failed);
      assertThat(v.message()).isNull();
    }
  }

  private static TargetPod pod(String namespace, String name, Boolean countFailures) {
    TargetPod p = new TargetPod();
    p.namespace = namespace;
    p.name = name;
    p.countFailures = countFailures;
    return p;
  }

  private static ProcessReport report(TargetPod pod, int pid, ProcessResult result) {
    return new ProcessReport(new ProcessTarget(pod.namespace, pod.name, "app", "containerd://" + pid,
        new ContainerProcess(pid, pid, pid)), result, result == ProcessResult.Failed ? "why" : null);
  }
}
