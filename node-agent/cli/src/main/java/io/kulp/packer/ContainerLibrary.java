package io.kulp.packer;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The patch container being packed: its build-id and the symbols the runtime will dlsym. */
final class ContainerLibrary {
  private final Path path;
  private final BuildId buildId;
  private final List<ElfSymbol> exported;

  private ContainerLibrary(Path path, BuildId buildId, List<ElfSymbol> exported) {
    this.path = path;
    this.buildId = buildId;
    this.exported = exported;
  }

  static ContainerLibrary open(Path path, Path dsc) throws IOException, PackerException {
    if (!Files.isRegularFile(path)) {
      throw PackerException.at(dsc, 1, "container " + path + " does not exist: build it first, or fix the first line");
    }
    ElfFile elf;
    try {
      elf = ElfFile.open(path);
    } catch (ElfException e) {
      throw new PackerException(e.getMessage() + ": the first line of " + dsc + " must name the patch's shared object", e);
    }
    try (elf) {
      BuildId id = elf.buildId().orElseThrow(() -> new PackerException("container " + path
          + " has no build-id (no NT_GNU_BUILD_ID note): link it with -Wl,--build-id"));
      List<ElfSymbol> exported = elf.dynamicSymbols().stream().filter(ElfSymbol::isDefined).toList();
      return new ContainerLibrary(path, id, exported);
    }
  }

  BuildId buildId() {
    return buildId;
  }

  /** Checks that the container exports {@code name} as {@code role}, since the runtime finds it with dlsym. */
  void require(String name, SymbolRole role, Path dsc, int line) throws PackerException {
    List<ElfSymbol> found = exported.stream().filter(s -> s.name().equals(name)).toList();
    if (found.isEmpty()) {
      throw PackerException.at(dsc, line, name + " is not exported by the container " + path.getFileName()
          + " (not in its .dynsym): define it in the patch with default visibility");
    }
    if (found.stream().noneMatch(s -> role.accepts(s.type()))) {
      throw PackerException.at(dsc, line, name + " in the container " + path.getFileName() + " is "
          + found.get(0).type() + ", not " + role);
    }
  }
}
