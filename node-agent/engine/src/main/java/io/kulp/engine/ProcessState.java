package io.kulp.engine;

import io.kulp.host.LibraryLookup;
import java.io.IOException;
import java.util.List;

/**
 * A process with kulp's runtime, as one read of it shows it (see {@link Engine#read}): what the
 * engine's callers decide by. The read is not repeated by the operations that follow it.
 */
public interface ProcessState {
  int pid();

  /** The command name. */
  String name();

  /** The patches the runtime has applied, as it recorded them, oldest first. */
  List<AppliedPatch> patches();

  /** Where {@code library} is in the process, found by basename or SONAME as the runtime finds it. */
  LibraryLookup find(String library) throws IOException;
}
