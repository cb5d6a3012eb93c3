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
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return usable(target.startsWith("/dev/pts/") || target.startsWith("/dev/tty"), env);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Whether a stream that {@code isTerminal} is one to write for as a terminal: not with TERM=dumb. */
  static boolean usable(boolean isTerminal, Map<String, String> env) {
    return isTerminal && !"dumb".equals(env.get("TERM"));
  }
}
