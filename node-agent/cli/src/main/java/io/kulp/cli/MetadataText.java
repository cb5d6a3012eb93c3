package io.kulp.cli;

import io.kulp.patch.FunctionPair;
import io.kulp.patch.PatchMetadata;
import io.kulp.patch.PrivateReference;
import java.util.Optional;

/** The human-readable form of patch metadata that {@code ulp dump} prints. */
final class MetadataText {
  private MetadataText() {}

  static String render(String name, PatchMetadata m, Optional<PatchMetadata> revert) {
    StringBuilder b = new StringBuilder();
    b.append(name).append(": kulp patch, ").append(m.kind().section()).append(" (")
        .append(m.kind().name().toLowerCase()).append(")\n");
    field(b, "patch id", m.id().hex());
    field(b, "target library", m.targetLibrary());
    field(b, "target build-id", m.targetBuildId().hex());
    field(b, "container build-id", m.containerBuildId().hex());
    if (m.consistent()) {
      field(b, "consistency check", "yes: applied and reverted only when no thread is in a function it replaces");
    }
    b.append("  functions (").append(m.functions().size()).append(")\n");
    for (FunctionPair f : m.functions()) {
      b.append(String.format("    %s @ 0x%x -> %s%s%n", f.oldName(), f.oldOffset(), f.newName(),
          f.unprepared() ? String.format(" (unprepared, entry CRC %08x)", f.entryCrc()) : ""));
    }
    b.append("  references (").append(m.references().size()).append(")\n");
    for (PrivateReference r : m.references()) {
      b.append(String.format("    %-4s %s @ 0x%x -> %s%s%n", r.kind().name().toLowerCase(), r.targetName(), r.targetOffset(),
          r.patchName(), r.patchOffset() == PrivateReference.BY_NAME ? "" : String.format(" @ 0x%x", r.patchOffset())));
    }
    b.append("  labels (").append(m.labels().size()).append(")\n");
    for (String l : m.labels()) {
      b.append("    ").append(l).append('\n');
    }
    if (revert.isPresent()) {
      b.append(".ulp.rev (revert)\n");
      field(b, "reverts patch", revert.get().id().hex());
      field(b, "target library", revert.get().targetLibrary());
    } else if (m.kind().section().equals(".ulp")) {
      b.append(".ulp.rev: none (this container cannot be reverted by file)\n");
    }
    return b.toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append(String.format("  %-19s %s%n", name, value));
  }
}
