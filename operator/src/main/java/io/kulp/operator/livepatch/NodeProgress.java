package io.kulp.operator.livepatch;

import io.kulp.api.KulpConstants;
import io.kulp.api.NodeReports;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.NodePhase;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/** Where one targeted node stands with respect to what the operator wants from it now. */
public enum NodeProgress {
  /** No LivePatchNode, or one holding another desired state: the node is yet to be started. */
  NOT_STARTED,
  /** The LivePatchNode holds the desired state; the agent has not reported on it yet. */
  IN_PROGRESS,
  /** The agent reported Succeeded for the current generation. */
  DONE,
  /** The agent reported Failed for the current generation. */
  FAILED,
  /**
   * Started, but no final report spec.rollout.nodeTimeout after it was started: failed, and it
   * no longer holds a rollout slot. A final report that arrives later counts.
   */
  TIMED_OUT,
  /** Not started because no kulp agent is alive on the node ({@link io.kulp.api.AgentLeases}). */
  SKIPPED;

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

  /**
   * {@link #of}, adjusted for the node's agent and the time: a node that would be started is
   * {@link #SKIPPED} when {@code agentAlive} is false, and one in progress is {@link #TIMED_OUT}
   * once {@code timeout} has passed since it was started ({@link #startedAt}).
   */
  public static NodeProgress of(LivePatchNode existing, String digest, LivePatchNodeSpec wanted,
      boolean agentAlive, Duration timeout, Instant now) {
    NodeProgress p = of(existing, digest, wanted);
    if (p == NOT_STARTED && !agentAlive) {
      return SKIPPED;
    }
    if (p == IN_PROGRESS && deadline(existing, timeout).map(now::isAfter).orElse(false)) {
      return TIMED_OUT;
    }
    return p;
  }

  /**
   * When the operator started {@code lpn} on its current desired state: its
   * {@link KulpConstants#ANNOTATION_STARTED_AT}, else (written by an older operator) its
   * creation time; empty when neither is known.
   */
  public static Optional<Instant> startedAt(LivePatchNode lpn) {
    Map<String, String> annotations = lpn.getMetadata().getAnnotations();
    String at = annotations == null ? null : annotations.get(KulpConstants.ANNOTATION_STARTED_AT);
    if (at == null) {
      at = lpn.getMetadata().getCreationTimestamp();
    }
    try {
      return at == null ? Optional.empty() : Optional.of(Instant.parse(at));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** When a node started on {@code lpn} times out. */
  public static Optional<Instant> deadline(LivePatchNode lpn, Duration timeout) {
    return startedAt(lpn).map(t -> t.plus(timeout));
  }

  /** True when the agent has given its final word on the current generation. */
  public boolean isFinished() {
    return this == DONE || this == FAILED;
  }

  /** True when the node counts as failed: it reported Failed, or timed out. */
  public boolean isFailed() {
    return this == FAILED || this == TIMED_OUT;
  }
}
