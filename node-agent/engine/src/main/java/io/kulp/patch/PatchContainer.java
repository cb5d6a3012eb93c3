package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A packed patch container: the validated {@code .ulp} and {@code .ulp.rev} sections of an ELF
 * shared object, and the exact {@code .ulp} bytes that go to the runtime.
 *
 * @param path where it was read from
 * @param applySection the {@code .ulp} section, verbatim
 * @param apply the decoded {@code .ulp}
 * @param revert the decoded {@code .ulp.rev}, absent in containers packed by other tools
 */
public record PatchContainer(Path path, byte[] applySection, PatchMetadata apply, Optional<PatchMetadata> revert) {

  public static final String REPACK = "rebuild the container and pack it again with `ulp packer DESC.dsc`";

  /** Reads and validates the container at {@code path}. */
  public static PatchContainer read(Path path) throws IOException, PatchException {
    ElfFile elf;
    try {
      elf = ElfFile.open(path);
    } catch (ElfException e) {
      throw new PatchException(e.getMessage() + ": it is not a patch container (damaged or not an ELF shared object)", e);
    }
    try (elf) {
      return read(path, elf);
    }
  }

  private static PatchContainer read(Path path, ElfFile elf) throws IOException, PatchException {
    // A larger section is refused before it is read: the decoder would refuse it anyway.
    byte[] apply = elf.sectionBytes(PatchKind.APPLY.section(), PatchFormat.MAX_SECTION_SIZE).orElseThrow(() ->
        new PatchException(path + " has no " + PatchKind.APPLY.section() + " section: it is not packed; run `ulp packer"
            + " DESC.dsc` first"));
    PatchMetadata metadata = decode(path, apply, PatchKind.APPLY);
    Optional<PatchMetadata> revert = Optional.empty();
    Optional<byte[]> rev = elf.sectionBytes(PatchKind.REVERT.section(), PatchFormat.MAX_SECTION_SIZE);
    if (rev.isPresent()) {
      revert = Optional.of(decode(path, rev.get(), PatchKind.REVERT));
    }
    BuildId own = elf.buildId().orElseThrow(() -> new PatchException(
        path + " has no build-id, but its .ulp names container build-id " + metadata.containerBuildId().hex() + ": " + REPACK));
    if (!own.equals(metadata.containerBuildId())) {
      throw new PatchException(path + ": .ulp was packed for container build-id " + metadata.containerBuildId().hex()
          + ", but this file's build-id is " + own.hex() + ": " + REPACK);
    }
    return new PatchContainer(path, apply, metadata, revert);
  }

  private static PatchMetadata decode(Path path, byte[] section, PatchKind kind) throws PatchException {
    try {
      return MetadataDecoder.decode(section, kind);
    } catch (MetadataException e) {
      throw new PatchException(path + ": " + kind.section() + " is damaged: " + e.getMessage() + "; " + REPACK, e);
    }
  }

  /** A copy of the {@code .ulp} bytes. */
  @Override
  public byte[] applySection() {
    return applySection.clone();
  }
}
