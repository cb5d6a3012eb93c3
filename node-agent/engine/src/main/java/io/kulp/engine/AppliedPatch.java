package io.kulp.engine;

import java.time.Instant;
import java.util.List;

/**
 * A patch applied in a process, as its runtime records it.
 *
 * @param id patch id, 32 hex characters
 * @param library basename of the patched library
 * @param path the container as the process loaded it
 * @param appliedAt when it was applied
 * @param labels its labels (CVE and bug ids, free text)
 * @param functions the functions it replaces
 */
public record AppliedPatch(String id, String library, String path, Instant appliedAt, List<String> labels,
    List<Function> functions) {

  /**
   * @param oldName the replaced function of the library
   * @param newName its replacement in the container
   * @param active true when this patch is the newest on that function, so calls reach it
   */
  public record Function(String oldName, String newName, long oldAddress, long newAddress, boolean active) {}
}
