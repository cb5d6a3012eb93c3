package io.kulp.engine;

import io.kulp.elf.BuildId;
import java.io.IOException;
import java.util.Optional;

/**
 * Finds a target library among a process's mappings, as the runtime will: by basename, or by
 * SONAME when the file on disk has a longer name (libfoo.so.1 -> libfoo.so.1.2.3), and tells its
 * build-id. ELF facts are cached per file (device, inode), so a thousand processes sharing one
 * libc cost one read.
 */
final class TargetLibraries {
  private final MappedFiles files;

  TargetLibraries(MappedFiles files) {
    this.files = files;
  }

  /** The library's build-id: null if no such library is mapped, empty if it has no build-id. */
  Optional<BuildId> buildId(TargetProcess target, String library) throws EngineException {
    Mapping found = null;
    for (Mapping m : target.maps) {
      if (m.offset() == 0 && m.inode() != 0 && m.basename().equals(library)) {
        found = m;
        break;
      }
    }
    try {
      for (int i = 0; found == null && i < target.maps.size(); i++) {
        Mapping m = target.maps.get(i);
        if (m.offset() == 0 && m.inode() != 0 && m.basename().contains(".so")
            && library.equals(files.fact(target.via, m, "soname", elf -> MappedFiles.unchecked(
                () -> elf.soname().orElse(""))))) {
          found = m;
        }
      }
      if (found == null) {
        return null;
      }
      Mapping library_ = found;
      String hex = files.fact(target.via, library_, "build-id",
          elf -> MappedFiles.unchecked(() -> elf.buildId().map(BuildId::hex).orElse("")));
      return hex.isEmpty() ? Optional.empty() : Optional.of(BuildId.ofHex(hex));
    } catch (IOException e) {
      throw EngineException.failed("cannot read " + library + " of process " + target.pid + ": " + e.getMessage());
    }
  }
}
