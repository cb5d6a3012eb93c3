package io.kulp.patch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Replaces files whole: readers see the old contents or the new, never a half-written file. */
public final class AtomicFile {
  private AtomicFile() {}

  /** A new empty temporary file next to {@code target}, for {@link #replace}. */
  public static Path temporaryFor(Path target, String suffix) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir + " (the directory to write " + target.getFileName() + " in)");
    }
    return Files.createTempFile(dir, "." + target.getFileName() + ".", suffix);
  }

  /** Syncs {@code written} to disk and renames it over {@code target}. */
  public static void replace(Path written, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(written, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Writes {@code bytes} to {@code target} through a temporary file. */
  public static void write(Path target, byte[] bytes) throws IOException {
    Path tmp = temporaryFor(target, ".tmp");
    try {
      Files.write(tmp, bytes);
      replace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
