package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.agent.kube.NodeLabel;
import org.junit.jupiter.api.Test;

/** The agent selects its LivePatchNodes by the label value the operator writes: both must agree. */
class AgentNodeLabelTest {
  @Test
  void theAgentComputesTheSameNodeLabelValueAsTheOperator() {
    for (String node : new String[] {"node-1", "n".repeat(63), "n".repeat(64),
        "ip-10-0-12-34.eu-west-1.compute.internal.some-very-long-cluster-domain.example"}) {
      assertThat(NodeLabel.of(node)).isEqualTo(LivePatchNodeNames.labelValue(node));
    }
  }
}
