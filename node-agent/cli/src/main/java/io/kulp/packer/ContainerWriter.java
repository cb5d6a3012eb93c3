package io.kulp.packer;

import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.patch.AtomicFile;
import io.kulp.patch.PatchKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts the {@code .ulp} and {@code .ulp.rev} sections into a container with objcopy. objcopy
 * writes a temporary file next to the output, which is checked, synced and renamed over the
 * output, so the output is either the old file or the complete new one, never half-written; a
 * process that has the old container loaded keeps its (unlinked) inode.
 */
final class ContainerWriter {
  private static final long OBJCOPY_TIMEOUT_SECONDS = 60;
  private final String objcopy;

  ContainerWriter(String objcopy) {
    this.objcopy = objcopy;
  }

  void write(Path container, Path output, byte[] apply, byte[] revert) throws IOException, PackerException {
    Path tmp = AtomicFile.temporaryFor(output, ".tmp");
    Path applyFile = AtomicFile.temporaryFor(output, ".ulp");
    Path revertFile = AtomicFile.temporaryFor(output, ".ulp.rev");
    try {
      Files.write(applyFile, apply);
      Files.write(revertFile, revert);
      // Removing first makes re-packing work: --add-section refuses a section that exists.
      run(List.of(objcopy, "--remove-section", PatchKind.APPLY.section(), "--remove-section", PatchKind.REVERT.section(),
          "--add-section", PatchKind.APPLY.section() + "=" + applyFile,
          "--add-section", PatchKind.REVERT.section() + "=" + revertFile, container.toString(), tmp.toString()),
          container);
      verify(tmp, PatchKind.APPLY, apply);
      verify(tmp, PatchKind.REVERT, revert);
      Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(container));
      AtomicFile.replace(tmp, output);
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(applyFile);
      Files.deleteIfExists(revertFile);
    }
  }

  private void run(List<String> command, Path container) throws IOException, PackerException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
          Path.of("/dev/null").toFile())).start();
    } catch (IOException e) {
      throw new PackerException("cannot run " + objcopy + " (" + e.getMessage() + "): install binutils, or pass"
          + " --objcopy PATH", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!p.waitFor(OBJCOPY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new PackerException(objcopy + " did not finish within " + OBJCOPY_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new PackerException("interrupted while waiting for " + objcopy, e);
    }
    if (p.exitValue() != 0) {
      throw new PackerException(objcopy + " could not add the sections to " + container + " (exit " + p.exitValue()
          + "): " + out.replace('\n', ' '));
    }
  }

  private static void verify(Path written, PatchKind kind, byte[] expected) throws IOException, PackerException {
    byte[] found;
    try (ElfFile elf = ElfFile.open(written)) {
      found = elf.sectionBytes(kind.section()).orElse(null);
    } catch (ElfException e) {
      throw new PackerException("objcopy wrote an unreadable file: " + e.getMessage(), e);
    }
    if (!Arrays.equals(found, expected)) {
      throw new PackerException("objcopy did not store " + kind.section() + " as given; the container was left unchanged");
    }
  }
}
