package io.kulp.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A kulp component (operator, agent) running as a process of its own on this host, as it would
 * run on a node, with its output in a log file under target/e2e-logs.
 */
final class HostProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private HostProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Log files written by this test JVM: a restarted component appends, an old run's log is replaced. */
  private static final Set<Path> OPENED = ConcurrentHashMap.newKeySet();

  static HostProcess start(String name, List<String> command, Map<String, String> env) {
    try {
      Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
      Path log = logs.resolve(name + ".log");
      if (OPENED.add(log)) {
        Files.deleteIfExists(log);
      }
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      return new HostProcess(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** The JVM's PID: the launchers (and setpriv) exec, so it is the process started here. */
  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as when a node agent's container is killed: no shutdown hook runs. */
  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void waitFor() {
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
