package io.kulp.host;

import io.kulp.elf.ElfFile;
import io.kulp.elf.ProgramHeader;
import java.util.List;
import java.util.Optional;

/** A file mapped into a process (a library, or libpulp.so itself), by its mapping at file offset 0. */
public record LoadedObject(String path, String basename, Mapping first) {

  /**
   * Finds the object whose basename satisfies {@code name} among the mappings: its lowest mapping
   * at file offset 0 locates it.
   */
  public static Optional<LoadedObject> find(List<Mapping> maps, java.util.function.Predicate<String> name) {
    for (Mapping m : maps) {
      if (m.offset() == 0 && m.inode() != 0 && name.test(m.basename())) {
        return Optional.of(new LoadedObject(m.path(), m.basename(), m));
      }
    }
    return Optional.empty();
  }

  /** The page address of the first PT_LOAD: what the mapping at file offset 0 starts with. */
  public static long firstLoadPage(ElfFile elf) {
    for (ProgramHeader p : elf.programHeaders()) {
      if (p.type() == ProgramHeader.PT_LOAD) {
        return p.vaddr() & ~0xfffL;
      }
    }
    return 0;
  }

}
