package io.kulp.engine;

import java.nio.file.Path;

/**
 * A {@link Target} while an operation works on it: the read, and the process's memory. The
 * fields are those the engine's steps use.
 *
 * <p>{@link #procPid} is the /proc entry the process is read through: {@code /proc/PID}, or,
 * once the main thread has exited while other threads live on, {@code /proc/TID} of a live
 * thread (see {@link io.kulp.host.ProcessEntry}). {@link #via} is that entry's number.
 */
final class TargetProcess implements AutoCloseable {
  final Target read;
  final int pid;
  final int via;
  final Path procPid;
  final String name;
  final ProcessMemory memory;
  final long abi;
  final int helperTid;

  TargetProcess(Target read, Path procRoot) {
    this.read = read;
    this.pid = read.pid();
    this.via = read.maps.via();
    this.procPid = read.maps.entry();
    this.name = read.name();
    this.memory = new ProcessMemory(via, procRoot);
    this.abi = read.abi;
    this.helperTid = read.helperTid;
  }

  /**
   * Whether the process has exited (or is exiting: a zombie, or dead). A step that fails because
   * of it may say only what it could not do, e.g. that {@code /proc/PID/root} is gone.
   */
  boolean exited() {
    try {
      String stat = java.nio.file.Files.readString(procPid.resolve("stat"));
      int end = stat.lastIndexOf(')');
      char state = end > 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
      return state == 'Z' || state == 'X';
    } catch (java.io.IOException e) {
      return true;
    }
  }

  ProcessMemory memory() {
    return memory;
  }

  @Override
  public void close() {
    memory.close();
  }
}
