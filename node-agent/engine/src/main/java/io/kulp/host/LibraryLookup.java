package io.kulp.host;

import io.kulp.elf.BuildId;
import java.util.Optional;

/** Where a target library is in a process, found by {@link ProcessMaps#find}. */
public sealed interface LibraryLookup {

  /** No mapped file has the library's name or SONAME. */
  record NotLoaded(String library) implements LibraryLookup {}

  /**
   * The library is mapped.
   *
   * @param object its mapping at file offset 0
   * @param buildId its GNU build-id; empty when the file has none
   */
  record Loaded(LoadedObject object, Optional<BuildId> buildId) implements LibraryLookup {}
}
