package io.kulp.patch;

import java.nio.file.Path;
import java.util.List;

/**
 * A parsed {@code .dsc} file (libpulp's description format). Paths are resolved against the
 * directory of the description; every entry keeps its line number for messages.
 *
 * @param file the description file as given
 * @param bytes its exact bytes, which go into the patch id
 * @param container the container {@code .so} (the first line that is not a label)
 * @param containerLine the line number of the container
 * @param target the {@code @} line: the target library or a symbol file from {@code ulp extract}
 * @param targetLine the line number of the {@code @} line
 * @param functions {@code old:new} lines (may be empty when there are references)
 * @param references {@code #target:ref} and {@code #%target:ref} lines
 * @param labels {@code !} lines, trimmed; empty ones are dropped
 */
public record PatchDescription(
    Path file,
    byte[] bytes,
    Path container,
    int containerLine,
    Path target,
    int targetLine,
    List<FunctionLine> functions,
    List<ReferenceLine> references,
    List<String> labels) {

  public PatchDescription {
    functions = List.copyOf(functions);
    references = List.copyOf(references);
    labels = List.copyOf(labels);
  }

  /**
   * An {@code old:new} line.
   *
   * @param offset the old function's offset when the line gives it ({@code old:new:OFFSET}), else null
   */
  public record FunctionLine(int line, String oldName, String newName, Long offset) {
    public FunctionLine(int line, String oldName, String newName) {
      this(line, oldName, newName, null);
    }
  }

  /**
   * A {@code #target:ref} (data) or {@code #%target:ref} (TLS) line.
   *
   * @param offsets the offsets the line gives ({@code #target:ref:TARGET_OFFSET:PATCH_OFFSET}),
   *     or null when the packer looks both names up
   */
  public record ReferenceLine(int line, String targetName, String patchName, ReferenceKind kind, Offsets offsets) {
    public ReferenceLine(int line, String targetName, String patchName, ReferenceKind kind) {
      this(line, targetName, patchName, kind, null);
    }

    /**
     * Offsets written in the description, as libpulp's tools write them.
     *
     * @param target the target's symbol: from its load base, or within its TLS block
     * @param patch the patch's pointer (or {@code struct kulp_tls_ref}) from the container's load base
     */
    public record Offsets(long target, long patch) {}
  }
}
