package io.kulp.operator.livepatch;

import io.kulp.api.KulpConstants;
import io.kulp.api.NodeReports;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.NodePhase;
import java.util.Map;

/** Where one targeted node stands with respect to what the operator wants from it now. */
public enum NodeProgress {
  /** No LivePatchNode, or one holding another desired state: the node is yet to be started. */
  NOT_STARTED,
  /** The LivePatchNode holds the desired state; the agent has not reported on it yet. */
  IN_PROGRESS,
  /** The agent reported Succeeded for the current generation. */
  DONE,
  /** The agent reported Failed for the current generation. */
  FAILED;

  /**
   * Classifies {@code existing} against the wanted spec. The LivePatchNode must carry
   * {@code digest} in its rollout-digest annotation and the wanted spec; then the agent's report
   * says where it stands once it is final for the current generation ({@link NodeReports}).
   */
  public static NodeProgress of(LivePatchNode existing, String digest, LivePatchNodeSpec wanted) {
    if (existing == null || !isWrittenFor(existing, digest)
        || !Specs.sameJson(existing.getSpec(), wanted)) {
      return NOT_STARTED;
    }
    if (!NodeReports.isFinal(existing)) {
      return IN_PROGRESS;
    }
    return existing.getStatus().phase == NodePhase.Succeeded ? DONE : FAILED;
  }

  /** True when the operator wrote {@code lpn} for the rollout with this digest. */
  public static boolean isWrittenFor(LivePatchNode lpn, String digest) {
    Map<String, String> annotations = lpn.getMetadata().getAnnotations();
    return annotations != null
        && digest.equals(annotations.get(KulpConstants.ANNOTATION_ROLLOUT_DIGEST));
  }

  /** True when the agent has given its final word on the current generation. */
  public boolean isFinished() {
    return this == DONE || this == FAILED;
  }
}
