package io.kulp.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maps the runtime's helper TID, which the runtime knows in its own PID namespace, to the TID
 * the engine must ptrace. In the engine's namespace they are equal; for a process in a
 * container, the innermost NSpid of one of its tasks matches.
 */
final class HelperThreads {
  private HelperThreads() {}

  static int hostTid(Path procPid, int tidInProcess) throws EngineException {
    if (samePidNamespace(procPid)) {
      return tidInProcess; // a TID that is gone makes the seize fail with "no such process"
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(procPid.resolve("task"))) {
      for (Path task : tasks) {
        if (innermost(task) == tidInProcess) {
          return Integer.parseInt(task.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw EngineException.failed("cannot list the threads of " + procPid + ": " + e.getMessage());
    }
    throw EngineException.failed("the kulp helper thread (" + tidInProcess + ") of " + procPid + " is gone");
  }

  private static final Path OWN_PID_NAMESPACE = ownPidNamespace();

  private static Path ownPidNamespace() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private static boolean samePidNamespace(Path procPid) {
    try {
      return OWN_PID_NAMESPACE != null && Files.readSymbolicLink(procPid.resolve("ns/pid")).equals(OWN_PID_NAMESPACE);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** The innermost NSpid of a task, or -1. */
  static int innermost(Path task) {
    try {
      for (String line : Files.readAllLines(task.resolve("status"))) {
        if (line.startsWith("NSpid:")) {
          String[] f = line.substring(6).trim().split("\\s+");
          return Integer.parseInt(f[f.length - 1]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
