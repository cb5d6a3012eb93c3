package io.kulp.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A library's separate debug file, found by build-id as gdb finds it:
 * {@code ROOT/.build-id/XX/REST.debug}, XX the build-id's first byte in hex and REST the others.
 * Debian's {@code -dbgsym} packages install them under {@code /usr/lib/debug}. Distributions
 * strip {@code .symtab} from the library they ship; the debug file keeps it, with the same
 * addresses when it has the same build-id, which is checked here.
 */
public final class SeparateDebugFile {
  /** Where Debian installs debug files. */
  public static final Path DEFAULT_ROOT = Path.of("/usr/lib/debug");

  private SeparateDebugFile() {}

  /** The path the debug file of {@code id} would have under {@code root}. */
  public static Path pathOf(Path root, BuildId id) {
    String hex = HexFormat.of().formatHex(id.bytes());
    return root.resolve(".build-id").resolve(hex.substring(0, 2)).resolve(hex.substring(2) + ".debug");
  }

  /**
   * The debug file of the library whose build-id is {@code id}, opened, when there is one under
   * {@code root} and its own build-id note is {@code id}; empty otherwise.
   */
  public static Optional<ElfFile> open(Path root, BuildId id) throws IOException {
    if (id.length() < 2) {
      return Optional.empty();
    }
    Path path = pathOf(root, id);
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    ElfFile debug = ElfFile.open(path);
    try {
      if (!debug.buildId().map(id::equals).orElse(false)) {
        debug.close();
        return Optional.empty();
      }
      return Optional.of(debug);
    } catch (IOException | RuntimeException e) {
      debug.close();
      throw e;
    }
  }
}
