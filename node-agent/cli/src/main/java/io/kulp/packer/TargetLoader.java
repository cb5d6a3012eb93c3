package io.kulp.packer;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.patch.PatchException;
import io.kulp.patch.SymbolFile;
import io.kulp.patch.SymbolFileJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Opens the {@code @} target of a description: an ELF library or a symbol file. */
final class TargetLoader {
  private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

  private TargetLoader() {}

  /** The target at {@code path}; a stripped ELF library's debug file is looked for under {@code debugRoot}. */
  static TargetLibrary load(Path path, Path dsc, int line, Path debugRoot) throws IOException, PatchException {
    if (!Files.isRegularFile(path)) {
      throw PackerException.at(dsc, line, "target " + path + " does not exist: fix the `@` line (relative paths start at "
          + "the description's directory)");
    }
    if (!isElf(path)) {
      SymbolFile symbols = SymbolFileJson.read(path);
      return TargetLibrary.of(symbols, path.getFileName().toString());
    }
    ElfFile elf;
    try {
      elf = ElfFile.open(path);
    } catch (ElfException e) {
      throw new PackerException(e.getMessage() + ": the `@` line of " + dsc + " must name the target library", e);
    }
    try {
      return load(elf, path, debugRoot);
    } catch (IOException | PatchException | RuntimeException e) {
      elf.close();
      throw e;
    }
  }

  private static TargetLibrary load(ElfFile elf, Path path, Path debugRoot) throws IOException, PatchException {
    BuildId buildId = elf.buildId().orElseThrow(() -> new PackerException("target library " + path
        + " has no build-id (no NT_GNU_BUILD_ID note), and kulp matches patches to libraries by build-id:"
        + " link the library with -Wl,--build-id"));
    return TargetLibrary.of(elf, loadName(elf, path), buildId, debugRoot);
  }

  /** The basename a process loads the library by: its SONAME, else the file name. */
  static String loadName(ElfFile elf, Path path) throws ElfException {
    return elf.soname().orElse(path.getFileName().toString());
  }

  private static boolean isElf(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return Arrays.equals(in.readNBytes(4), ELF_MAGIC);
    } catch (NoSuchFileException e) {
      return false;
    }
  }
}
