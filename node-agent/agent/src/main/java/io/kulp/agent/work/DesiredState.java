package io.kulp.agent.work;

import io.kulp.agent.host.StagingException;
import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.StagedPatchName;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Operation;
import io.kulp.patch.PatchId;
import java.util.List;
import java.util.Optional;

/**
 * What a LivePatchNode asks of every target process, and the decision, from what the process's
 * runtime says is applied, of the engine operation (if any) left to make. Pure: the processes are
 * read by the caller.
 *
 * @param action Apply, Revert or RevertAll
 * @param library the target library's basename
 * @param patch the verified patch (Apply, Revert); null for RevertAll, or for a Revert whose
 *     patch can no longer be fetched
 * @param sha256 the patch's digest from the spec (null for RevertAll): a Revert without the
 *     patch file finds the patch by the name it was staged under
 */
public record DesiredState(Action action, String library, VerifiedPatch patch, String sha256) {

  /** Where the patch is inside the target's container, staged there when an apply needs it. */
  @FunctionalInterface
  interface Staging {
    String path() throws StagingException;
  }

  /** The result a process in the desired state is reported with. */
  public ProcessResult reachedResult() {
    return action == Action.Apply ? ProcessResult.Applied : ProcessResult.Reverted;
  }

  /**
   * The operation that brings a process with these applied patches to the desired state; empty
   * when it is there. {@code staging} is asked only for an apply.
   */
  Optional<Operation> next(List<AppliedPatch> applied, Staging staging) throws StagingException {
    if (reached(applied)) {
      return Optional.empty();
    }
    return Optional.of(switch (action) {
      case Apply -> new Operation.Apply(patch.container(), staging.path());
      case Revert -> new Operation.Revert(PatchId.ofHex(appliedId(applied)),
          patch != null ? patch.stagedName() : "patch");
      case RevertAll -> new Operation.RevertAll(library);
    });
  }

  /** Whether a process with these applied patches is in the desired state. */
  public boolean reached(List<AppliedPatch> applied) {
    return switch (action) {
      case Apply -> appliedId(applied) != null;
      case Revert -> appliedId(applied) == null;
      case RevertAll -> applied.stream().noneMatch(p -> p.library().equals(library));
    };
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
