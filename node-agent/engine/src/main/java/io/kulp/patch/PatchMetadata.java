package io.kulp.patch;

import io.kulp.elf.BuildId;
import java.util.List;
import java.util.Objects;

/**
 * The contents of a {@code .ulp} (apply) or {@code .ulp.rev} (revert) section.
 *
 * @param kind apply or revert
 * @param id the patch this section applies, or for a revert, the applied patch it reverts
 * @param targetLibrary basename of the target library as the process loads it (its SONAME)
 * @param targetBuildId the build-id the target library must have
 * @param containerBuildId the container's own build-id
 * @param functions replaced functions (none for a revert)
 * @param references private data and TLS references (none for a revert)
 * @param labels free text such as CVE or bug ids (none for a revert)
 * @param consistent the consistency check: applied and reverted only when no thread runs, or will
 *     return into, the code the change stops calling ({@code ulp packer --consistent})
 */
public record PatchMetadata(
    PatchKind kind,
    PatchId id,
    String targetLibrary,
    BuildId targetBuildId,
    BuildId containerBuildId,
    List<FunctionPair> functions,
    List<PrivateReference> references,
    List<String> labels,
    boolean consistent) {

  public PatchMetadata {
    Objects.requireNonNull(kind);
    Objects.requireNonNull(id);
    Objects.requireNonNull(targetLibrary);
    Objects.requireNonNull(targetBuildId);
    Objects.requireNonNull(containerBuildId);
    functions = List.copyOf(functions);
    references = List.copyOf(references);
    labels = List.copyOf(labels);
    if (kind == PatchKind.REVERT && !(functions.isEmpty() && references.isEmpty() && labels.isEmpty())) {
      throw new IllegalArgumentException("a revert section carries no functions, references or labels");
    }
  }

  /** A patch without the consistency check. */
  public PatchMetadata(PatchKind kind, PatchId id, String targetLibrary, BuildId targetBuildId,
      BuildId containerBuildId, List<FunctionPair> functions, List<PrivateReference> references,
      List<String> labels) {
    this(kind, id, targetLibrary, targetBuildId, containerBuildId, functions, references, labels, false);
  }

  /** The {@code .ulp.rev} that undoes this patch; it keeps the consistency check, which reverts need too. */
  public PatchMetadata revert() {
    return new PatchMetadata(PatchKind.REVERT, id, targetLibrary, targetBuildId, containerBuildId, List.of(),
        List.of(), List.of(), consistent);
  }

  /** The same patch, with the consistency check ({@code ulp packer --consistent}). */
  public PatchMetadata withConsistencyCheck() {
    return new PatchMetadata(kind, id, targetLibrary, targetBuildId, containerBuildId, functions, references, labels,
        true);
  }
}
