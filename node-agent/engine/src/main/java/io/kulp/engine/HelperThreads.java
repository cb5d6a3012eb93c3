package io.kulp.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

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

  /** How long a process whose helper just went may take to show that it is exiting. */
  private static final long EXIT_GRACE_NANOS = 50_000_000;

  /**
   * Whether the process is gone or on its way out. A process that exits takes its threads down one
   * by one: its helper's task can vanish while its main thread still runs towards the end, not yet
   * a zombie. Such a process is given a moment to show it, so that it counts as gone and not as a
   * runtime naming a foreign thread; a live process costs that moment, on this failure path only.
   */
  private static boolean exiting(Path procPid) {
    long until = System.nanoTime() + EXIT_GRACE_NANOS;
    do {
      try {
        String stat = Files.readString(procPid.resolve("stat"));
        int end = stat.lastIndexOf(')');
        String[] fields = stat.substring(end + 2).split(" ");
        // state Z or X; or flags (field 9) with PF_EXITING (0x4): do_exit() has begun
        if (fields[0].equals("Z") || fields[0].equals("X") || (Long.parseLong(fields[6]) & 0x4) != 0) {
          return true;
        }
      } catch (IOException | RuntimeException e) {
        return true; // gone, or its stat no longer readable
      }
      LockSupport.parkNanos(2_000_000);
    } while (System.nanoTime() - until < 0);
    return false;
  }

  /** Whether host TID {@code tid} is a thread of the process shown by {@code procPid}. */
  static boolean isThreadOf(Path procPid, int tid) {
    return tid > 0 && Files.isDirectory(procPid.resolve("task").resolve(Integer.toString(tid)));
  }

  /** The error for a helper TID that is not a thread of the process (or for the process being gone). */
  static EngineException notItsThread(Path procPid, int pid, int tid) {
    if (exiting(procPid)) {
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
