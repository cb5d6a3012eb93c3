package io.kulp.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What one {@code ulp} command runs with: the directory its relative paths start from, its
 * environment, the processes that are {@code ulp} itself (never targets), and whether its
 * standard error is a terminal. In a {@code ulp} JVM these are that process's own; in the
 * resident engine ({@link UlpDaemon}) they are those of the {@code ulp-client} that sent the
 * command, because the daemon's own directory and environment belong to whoever started it.
 */
record Invocation(Path workingDirectory, Map<String, String> environment, Set<Long> selfPids,
    boolean stderrIsTerminal) {

  /** This process's own: how a {@code ulp} JVM runs a command. */
  static Invocation thisProcess() {
    return new Invocation(Path.of("").toAbsolutePath(), System.getenv(), Set.of(ProcessHandle.current().pid()),
        Terminal.isTerminal(2, System.getenv()));
  }

  /** The invocation of the command {@code spec} belongs to. */
  static Invocation of(CommandSpec spec) {
    return ((Ulp) spec.root().userObject()).invocation();
  }

  /** {@code path} as the user meant it: relative to the command's working directory. */
  Path resolve(Path path) {
    return workingDirectory.resolve(path);
  }

  Path resolve(String path) {
    return resolve(Path.of(path));
  }
}
