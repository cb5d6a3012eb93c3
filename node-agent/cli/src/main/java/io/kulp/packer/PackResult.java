package io.kulp.packer;

import io.kulp.patch.PatchMetadata;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Packer#pack} did.
 *
 * @param output the container written
 * @param metadata the {@code .ulp} it now holds
 * @param resolutions one line per looked-up symbol, saying where it was found (for {@code -v})
 */
public record PackResult(Path output, PatchMetadata metadata, List<String> resolutions) {
  public PackResult {
    resolutions = List.copyOf(resolutions);
  }
}
