package io.kulp.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where libpulp.so is installed, for messages that tell the user how to preload it. */
final class RuntimeLibrary {
  private RuntimeLibrary() {}

  static String suggestedPath() {
    String configured = System.getProperty("kulp.runtime");
    if (configured != null) {
      return configured;
    }
    for (String candidate : new String[] {"/usr/lib64/libpulp.so", "/usr/lib/libpulp.so", "/usr/local/lib/libpulp.so"}) {
      if (Files.exists(Path.of(candidate))) {
        return candidate;
      }
    }
    return "/path/to/libpulp.so";
  }
}
