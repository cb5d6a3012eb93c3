package io.kulp.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command that a {@code ulp-client} sends to the resident engine ({@link UlpDaemon}): the
 * client's working directory, which of its standard streams are terminals, its arguments and the
 * part of its environment that commands read (TERM, KULP_*). On the wire it is a sequence of
 * NUL-terminated strings in that order (the streams as three '0'/'1' characters, the arguments
 * preceded by their count), after a 4-byte little-endian length. Who the client is, the daemon
 * learns from the kernel ({@link PeerProcess}), not from the request.
 */
record DaemonRequest(Path workingDirectory, boolean stderrIsTerminal, String[] args, Map<String, String> environment) {

  /** The protocol version, the first string of every request. */
  static final String VERSION = "2";

  /** The largest request accepted: arguments and environment together. */
  static final int MAX_BYTES = 4 << 20;

  /** Parses a request's body (without its length); throws IllegalArgumentException when it is malformed. */
  static DaemonRequest parse(byte[] body) {
    List<String> words = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == 0) {
        words.add(new String(body, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start != body.length) {
      throw new IllegalArgumentException("the request does not end with a NUL");
    }
    if (words.size() < 4 || !words.get(0).equals(VERSION)) {
      throw new IllegalArgumentException("not a version " + VERSION + " request");
    }
    String ttys = words.get(2);
    int argc = Integer.parseInt(words.get(3));
    if (ttys.length() != 3 || argc < 0 || 4 + argc > words.size()) {
      throw new IllegalArgumentException("malformed request");
    }
    Path cwd = Path.of(words.get(1));
    if (!cwd.isAbsolute()) {
      throw new IllegalArgumentException("the working directory is not absolute: " + cwd);
    }
    String[] args = words.subList(4, 4 + argc).toArray(String[]::new);
    Map<String, String> env = new HashMap<>();
    for (String entry : words.subList(4 + argc, words.size())) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1)); // the last one wins, as getenv's would
      }
    }
    return new DaemonRequest(cwd, ttys.charAt(2) == '1', args, Map.copyOf(env));
  }

  /** What the command runs with: the client's directory and environment; the client and the daemon are not targets. */
  Invocation invocation(long clientPid) {
    return new Invocation(workingDirectory, environment, Set.of(clientPid, ProcessHandle.current().pid()),
        Terminal.usable(stderrIsTerminal, environment));
  }
}
