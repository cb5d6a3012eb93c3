package io.kulp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Whether a file descriptor of this process is a terminal, read from /proc (no native call). */
final class Terminal {
  private Terminal() {}

  /** True when {@code fd} is a terminal and TERM in {@code env} is not "dumb"; false for pipes, files and /dev/null. */
  static boolean isTerminal(int fd, Map<String, String> env) {
    if ("dumb".equals(env.get("TERM"))) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
