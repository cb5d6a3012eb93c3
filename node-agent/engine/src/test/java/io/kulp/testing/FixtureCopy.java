package io.kulp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private copy of the fixture libraries and of every patch container and description, in the
 * layout runtime-c builds them, so the descriptions' relative paths still work and packing or
 * damaging touches only the copy.
 */
public final class FixtureCopy {
  private FixtureCopy() {}

  /** Copies into {@code dir}; returns the copy of the patches directory. */
  public static Path into(Path dir) {
    try {
      for (String sub : List.of("fixtures", "fixtures-other")) {
        Files.createDirectories(dir.resolve(sub));
        Files.copy(Fixtures.runtimeDir().resolve(sub).resolve("libkfix.so.1"), dir.resolve(sub).resolve("libkfix.so.1"));
      }
      // The program whose own function main_value_v2 patches.
      Files.copy(Fixtures.fixture("kfix-main"), dir.resolve("fixtures/kfix-main"), StandardCopyOption.COPY_ATTRIBUTES);
      Path patches = Files.createDirectories(dir.resolve("patches"));
      try (Stream<Path> files = Files.list(Fixtures.patchesDir())) {
        for (Path f : files.filter(FixtureCopy::isDescribedPatchFile).toList()) {
          Files.copy(f, patches.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
      return patches;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isDescribedPatchFile(Path f) {
    String name = f.getFileName().toString();
    return (name.endsWith(".so") || name.endsWith(".dsc")) && !name.startsWith("damaged");
  }
}
