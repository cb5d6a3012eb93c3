package io.kulp.packer;

import io.kulp.elf.BuildId;
import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.ProgramHeader;
import io.kulp.elf.SymbolType;
import io.kulp.patch.PrivateReference;
import io.kulp.patch.ReferenceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The patch container being packed: its build-id, the symbols the runtime will dlsym, and where
 * its writable data is, for pointers the runtime fills by offset.
 */
final class ContainerLibrary {
  private static final long PF_W = 2;
  private static final long PT_GNU_RELRO = 0x6474e552L;
  private static final long TLS_REF_SIZE = 16; // struct kulp_tls_ref
  private static final long POINTER_SIZE = 8;

  private final Path path;
  private final BuildId buildId;
  private final List<ElfSymbol> exported;
  private final List<ElfSymbol> local;
  private final List<ProgramHeader> segments;

  private ContainerLibrary(Path path, BuildId buildId, List<ElfSymbol> exported, List<ElfSymbol> local,
      List<ProgramHeader> segments) {
    this.path = path;
    this.buildId = buildId;
    this.exported = exported;
    this.local = local;
    this.segments = segments;
  }

  static ContainerLibrary open(Path path, Path dsc, int line) throws IOException, PackerException {
    if (!Files.isRegularFile(path)) {
      throw PackerException.at(dsc, line, "container " + path + " does not exist: build it first, or fix the line");
    }
    ElfFile elf;
    try {
      elf = ElfFile.open(path);
    } catch (ElfException e) {
      throw new PackerException(e.getMessage() + ": line " + line + " of " + dsc + " must name the patch's shared object", e);
    }
    try (elf) {
      BuildId id = elf.buildId().orElseThrow(() -> new PackerException("container " + path
          + " has no build-id (no NT_GNU_BUILD_ID note): link it with -Wl,--build-id"));
      List<ElfSymbol> exported = elf.dynamicSymbols().stream().filter(ElfSymbol::isDefined).toList();
      List<ElfSymbol> local = elf.symbols().stream().filter(ElfSymbol::isDefined).toList();
      return new ContainerLibrary(path, id, exported, local, elf.programHeaders());
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

  /**
   * Where the runtime finds a reference's pointer: {@link PrivateReference#BY_NAME} when the
   * container exports it, else its offset from the {@code .symtab} (a {@code static} pointer),
   * or the offset the description gives ({@code given}, null if none), which must agree with
   * the symbol when the container names it. An offset must lie in writable data.
   */
  long pointer(String name, ReferenceKind kind, Long given, Path dsc, int line) throws PackerException {
    Optional<ElfSymbol> exportedData = exported.stream()
        .filter(s -> s.name().equals(name) && SymbolRole.DATA.accepts(s.type())).findFirst();
    if (given == null && exportedData.isPresent()) {
      return PrivateReference.BY_NAME;
    }
    List<Long> known = Stream.concat(exported.stream(), local.stream())
        .filter(s -> s.name().equals(name) && s.type() == SymbolType.OBJECT).map(ElfSymbol::value).distinct().toList();
    long offset;
    if (given != null) {
      if (!known.isEmpty() && !known.contains(given)) {
        throw PackerException.at(dsc, line, "PATCH_OFFSET 0x" + Long.toHexString(given) + " is not where the container "
            + path.getFileName() + " has " + name + " (0x" + Long.toHexString(known.get(0))
            + "): write the offsets again from this build of the container (nm)");
      }
      offset = given;
    } else if (known.size() == 1) {
      offset = known.get(0);
    } else if (known.isEmpty()) {
      throw PackerException.at(dsc, line, name + " is not a variable of the container " + path.getFileName()
          + " (neither in its .dynsym nor its .symtab): define the pointer in the patch");
    } else {
      throw PackerException.at(dsc, line, name + " is ambiguous in the container " + path.getFileName() + ": "
          + known.size() + " static variables of that name; rename one, or give the offsets in the line");
    }
    long size = kind == ReferenceKind.TLS ? TLS_REF_SIZE : POINTER_SIZE;
    if (offset == 0 || offset > PrivateReference.MAX_PATCH_OFFSET || !writable(offset, size)) {
      throw PackerException.at(dsc, line, name + " at 0x" + Long.toHexString(offset) + " is not writable data of the"
          + " container " + path.getFileName() + " (it must be a variable the runtime can store into, not a constant)");
    }
    return offset;
  }

  private boolean writable(long at, long size) {
    for (ProgramHeader h : segments) {
      if (h.type() == PT_GNU_RELRO && at < h.vaddr() + h.memSize() && at + size > h.vaddr()) {
        return false;
      }
    }
    return segments.stream().anyMatch(h -> h.type() == ProgramHeader.PT_LOAD && (h.flags() & PF_W) != 0
        && at >= h.vaddr() && at + size <= h.vaddr() + h.memSize());
  }
}
