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
