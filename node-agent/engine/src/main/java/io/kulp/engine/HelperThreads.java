package io.kulp.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maps the runtime's helper TID, which the runtime knows in its own PID namespace, to the TID
 * the engine must ptrace. In the engine's namespace they are equal; for a process in a
 * container, the innermost NSpid of one of its tasks matches.
 *
 * <p>The TID comes from the process's memory, which the process controls: a damaged or hostile
 * runtime may name any thread of the host, of any user. Only a thread of the process itself is
 * ever taken, here and again once seized ({@link #isThreadOf}): the engine, root on a node,
 * must never stop another process.
 */
final class HelperThreads {
  private HelperThreads() {}

  static int hostTid(Path procPid, int pid, int tidInProcess) throws EngineException {
    if (samePidNamespace(procPid)) {
      if (!isThreadOf(procPid, tidInProcess)) {
        throw notItsThread(procPid, pid, tidInProcess);
      }
      return tidInProcess;
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
    throw notItsThread(procPid, pid, tidInProcess);
  }

  /** Whether host TID {@code tid} is a thread of the process shown by {@code procPid}. */
  static boolean isThreadOf(Path procPid, int tid) {
    return tid > 0 && Files.isDirectory(procPid.resolve("task").resolve(Integer.toString(tid)));
  }

  /** The error for a helper TID that is not a thread of the process (or for the process being gone). */
  static EngineException notItsThread(Path procPid, int pid, int tid) {
    if (!Files.isDirectory(procPid)) {
      return EngineException.gone(pid);
    }
    return EngineException.failed("process " + pid + ": its kulp runtime names thread " + tid + " as its helper, which"
        + " is not a thread of process " + pid + " (the helper is gone, or the runtime is damaged or hostile)");
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
