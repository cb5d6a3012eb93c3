package io.kulp.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Which procfs entry shows a process's memory and files. Usually {@code /proc/PID}; but a process
 * whose main thread has exited (pthread_exit) while other threads live on keeps that thread as a
 * zombie, and {@code /proc/PID} then shows no memory map and no root. {@code /proc/TID} of any
 * live thread shows the whole process (maps, memory, map_files, root) as that thread sees it.
 */
public final class ProcessEntry {
  private static final long PF_EXITING = 0x4; // include/linux/sched.h

  private ProcessEntry() {}

  /**
   * {@code /proc/PID}, or {@code /proc/TID} of a live thread when the main thread has exited;
   * throws {@link NoSuchFileException} once the process is gone.
   */
  public static Path of(Path procRoot, int pid) throws IOException {
    Path own = procRoot.resolve(Integer.toString(pid));
    if (!exiting(own, pid)) {
      return own;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(own.resolve("task"))) {
      for (Path task : tasks) {
        int tid = Integer.parseInt(task.getFileName().toString());
        if (tid != pid && !exiting(own, tid)) {
          return procRoot.resolve(Integer.toString(tid));
        }
      }
    }
    return own;
  }

  /**
   * True when a thread has begun to exit (or is gone): it will never run user code again, and the
   * kernel refuses to trace it (PTRACE_SEIZE fails with EPERM, as if another debugger held it).
   * From the thread's flags in {@code /proc/PID/task/TID/stat} (PF_EXITING).
   */
  public static boolean exiting(Path procPid, int tid) throws IOException {
    String stat;
    try {
      stat = Files.readString(procPid.resolve("task/" + tid + "/stat"));
    } catch (NoSuchFileException e) {
      return true;
    }
    // pid (comm) state ppid pgrp session tty_nr tpgid flags ...; comm may hold spaces and ')'
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[6]) & PF_EXITING) != 0;
  }
}
