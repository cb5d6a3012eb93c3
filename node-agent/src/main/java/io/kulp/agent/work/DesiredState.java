package io.kulp.agent.work;

import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.StagedPatchName;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.AppliedPatch;
import java.util.List;

/**
 * What a LivePatchNode asks of every target process, and the decision, from what the process's
 * runtime says is applied, of what (if anything) is left to do. Pure: the processes are read by
 * the caller.
 *
 * @param action Apply, Revert or RevertAll
 * @param library the target library's basename
 * @param patch the verified patch (Apply, Revert); null for RevertAll, or for a Revert whose
 *     patch can no longer be fetched
 * @param sha256 the patch's digest from the spec (null for RevertAll): a Revert without the
 *     patch file finds the patch by the name it was staged under
 */
public record DesiredState(Action action, String library, VerifiedPatch patch, String sha256) {

  /** What is left to do in a process. */
  public enum Kind { APPLY, REVERT, REVERT_ALL }

  /**
   * One operation to make.
   *
   * @param kind which
   * @param patchId for REVERT: the id of the applied patch, 32 hex characters
   */
  public record Step(Kind kind, String patchId) {}

  /** The result a process in the desired state is reported with. */
  public ProcessResult reachedResult() {
    return action == Action.Apply ? ProcessResult.Applied : ProcessResult.Reverted;
  }

  /** The operation that brings a process with these applied patches to the desired state; null if there. */
  public Step next(List<AppliedPatch> applied) {
    switch (action) {
      case Apply:
        return appliedId(applied) != null ? null : new Step(Kind.APPLY, null);
      case Revert: {
        String id = appliedId(applied);
        return id == null ? null : new Step(Kind.REVERT, id);
      }
      default:
        return applied.stream().anyMatch(p -> p.library().equals(library)) ? new Step(Kind.REVERT_ALL, null) : null;
    }
  }

  /** Whether a process with these applied patches is in the desired state. */
  public boolean reached(List<AppliedPatch> applied) {
    return next(applied) == null;
  }

  /** The id of this patch if the process has it applied: by id, or by the name the agent staged it under. */
  private String appliedId(List<AppliedPatch> applied) {
    for (AppliedPatch p : applied) {
      if (patch != null ? p.id().equals(patch.container().apply().id().hex())
          : sha256 != null && p.path().endsWith("/" + StagedPatchName.of(sha256))) {
        return p.id();
      }
    }
    return null;
  }
}
