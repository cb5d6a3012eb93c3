package io.kulp.cli;

import io.kulp.patch.MetadataDecoder;
import io.kulp.patch.MetadataException;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchException;
import io.kulp.patch.PatchFormat;
import io.kulp.patch.PatchMetadata;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp dump PATCH}: prints a container's metadata; also reads a bare {@code .ulp} section
 * file. As libpulp's: {@code --revert} prints the revert metadata, {@code -b} only the build-id
 * of the library the patch is for.
 */
@Command(name = "dump", description = "Print the live-patch metadata of a packed container.")
final class DumpCommand extends UlpSubcommand {
  private static final byte[] KULP_MAGIC = {'K', 'U', 'L', 'P'};

  @Parameters(paramLabel = "PATCH", description = "A packed patch container (.so), or a section dumped with objcopy.")
  private Path patch;

  @Option(names = "--revert", description = "Print the revert metadata (.ulp.rev) instead.")
  private boolean revert;

  @Option(names = {"-b", "--buildid"}, description = "Print only the build-id of the library the patch is for.")
  private boolean buildIdOnly;

  @Override
  public Integer call() throws Exception {
    String text;
    if (startsWithKulpMagic(patch)) {
      byte[] section;
      try (InputStream in = Files.newInputStream(patch)) {
        section = in.readNBytes(PatchFormat.MAX_SECTION_SIZE + 1);
      }
      if (section.length > PatchFormat.MAX_SECTION_SIZE) {
        throw new PatchException(patch + ": damaged kulp metadata: more than the " + PatchFormat.MAX_SECTION_SIZE
            + " bytes a .ulp section may have; " + PatchContainer.REPACK);
      }
      PatchMetadata m = decodeSection(section);
      text = buildIdOnly ? m.targetBuildId().hex() + "\n" : MetadataText.render(patch.toString(), m, Optional.empty());
    } else {
      PatchContainer c = PatchContainer.read(patch);
      PatchMetadata shown = revert ? c.revert().orElseThrow(() -> new PatchException(patch
          + " has no .ulp.rev section: it cannot be reverted by file; pack it again with `ulp packer`")) : c.apply();
      text = buildIdOnly ? shown.targetBuildId().hex() + "\n"
          : MetadataText.render(patch.toString(), shown, revert ? Optional.empty() : c.revert());
    }
    out().print(text);
    return 0;
  }

  private PatchMetadata decodeSection(byte[] bytes) throws PatchException {
    try {
      return MetadataDecoder.decode(bytes);
    } catch (MetadataException e) {
      throw new PatchException(patch + ": damaged kulp metadata: " + e.getMessage() + "; " + PatchContainer.REPACK, e);
    }
  }

  private static boolean startsWithKulpMagic(Path file) throws java.io.IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(4), KULP_MAGIC);
    }
  }
}
