package io.kulp.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The threads of a process, from {@code /proc/PID/task}. */
final class Threads {
  private static final long PF_EXITING = 0x4; // include/linux/sched.h
  private Threads() {}

  static List<Integer> of(Path procPid) throws IOException {
    List<Integer> tids = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(procPid.resolve("task"))) {
      for (Path task : tasks) {
        tids.add(Integer.parseInt(task.getFileName().toString()));
      }
    }
    return tids;
  }

  /**
   * True when a thread has begun to exit (or is gone): it will never run user code again, and the
   * kernel refuses to trace it (PTRACE_SEIZE fails with EPERM, as if another debugger held it).
   * From the thread's flags in {@code /proc/PID/task/TID/stat} (PF_EXITING).
   */
  static boolean exiting(Path procPid, int tid) throws IOException {
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

  /**
   * The user-space instruction pointer of a thread blocked in the kernel (in a system call or a
   * page fault), from {@code /proc/PID/task/TID/syscall}: its last field. Empty when the thread
   * is running or runnable ("running"), or -1 when it has exited.
   */
  static long blockedPc(Path procPid, int tid) throws IOException {
    String line;
    try {
      line = Files.readString(procPid.resolve("task/" + tid + "/syscall")).trim();
    } catch (NoSuchFileException e) {
      return -1;
    }
    if (line.isEmpty() || line.equals("running")) {
      return 0;
    }
    int space = line.lastIndexOf(' ');
    String pc = line.substring(space + 1);
    return Long.parseUnsignedLong(pc.startsWith("0x") ? pc.substring(2) : pc, 16);
  }
}
