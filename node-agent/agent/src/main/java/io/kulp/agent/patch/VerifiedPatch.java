package io.kulp.agent.patch;

import io.kulp.api.StagedPatchName;
import io.kulp.patch.PatchContainer;

/**
 * A patch whose bytes matched the spec's sha256 and whose {@code .ulp} metadata matched the spec's
 * library: the only kind the agent stages and applies.
 *
 * @param sha256 the digest, 64 lowercase hex characters
 * @param bytes the file's content, staged into containers as is
 * @param container the validated container, read from the agent's cache
 */
public record VerifiedPatch(String sha256, byte[] bytes, PatchContainer container) {

  /** The file name under which the patch is staged in a container: derived from its digest. */
  public String stagedName() {
    return StagedPatchName.of(sha256);
  }
}
