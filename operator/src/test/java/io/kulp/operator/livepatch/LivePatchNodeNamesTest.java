package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LivePatchNodeNamesTest {

  @Test
  void joinsLivePatchAndNodeWithADot() {
    assertThat(LivePatchNodeNames.objectName("fix-cve", "worker-1")).isEqualTo("fix-cve.worker-1");
  }

  @Test
  void shortensOverlongNamesWithAStableHash() {
    String node = "n".repeat(250);
    String a = LivePatchNodeNames.objectName("fix", node);
    assertThat(a).hasSizeLessThanOrEqualTo(253).startsWith("fix.nnn")
        .isEqualTo(LivePatchNodeNames.objectName("fix", node))
        .isNotEqualTo(LivePatchNodeNames.objectName("fix", node + "x"));
  }
}
