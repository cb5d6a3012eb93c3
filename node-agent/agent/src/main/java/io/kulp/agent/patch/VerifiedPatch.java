package io.kulp.agent.patch;

import io.kulp.api.StagedPatchName;
import io.kulp.patch.PatchContainer;
import java.nio.file.Path;

/**
 * A patch whose bytes matched the spec's sha256 and whose {@code .ulp} metadata matched the spec's
 * library: the only kind the agent stages and applies. Its bytes are not held in memory: they are
 * in the agent's cache file, and whoever copies them checks the digest again while copying.
 *
 * @param sha256 the digest, 64 lowercase hex characters
 * @param container the validated container, read from the agent's cache file
 */
public record VerifiedPatch(String sha256, PatchContainer container) {

  /** The agent's cache file that holds the patch. */
  public Path file() {
    return container.path();
  }

  /** The file name under which the patch is staged in a container: derived from its digest. */
  public String stagedName() {
    return StagedPatchName.of(sha256);
  }
}
