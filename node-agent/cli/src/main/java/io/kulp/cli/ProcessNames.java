package io.kulp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's command name, for output. */
final class ProcessNames {
  private ProcessNames() {}

  static String of(Path procRoot, int pid) {
    try {
      return Files.readString(procRoot.resolve(pid + "/comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
