package io.kulp.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Predicate;

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

  /** A function that reads something through a procfs entry. */
  @FunctionalInterface
  public interface EntryReader<T> {
    T read(Path entry) throws IOException;
  }

  /** What was read, and the entry it was read through ({@code /proc/PID} or {@code /proc/TID}). */
  public record Seen<T>(Path entry, T value) {
    /** The entry's number: the PID, or the TID of a live thread once the main thread has exited. */
    public int via() {
      return Integer.parseInt(entry.getFileName().toString());
    }
  }

  /**
   * Reads through {@code /proc/PID}, and reads again through a live thread's entry when what was
   * read looks {@code hidden} (empty maps, root cgroups) because the main thread has exited. The
   * usual process costs one read; only one that looks hidden costs a look at its threads.
   */
  public static <T> Seen<T> read(Path procRoot, int pid, EntryReader<T> reader, Predicate<T> hidden)
      throws IOException {
    Path own = procRoot.resolve(Integer.toString(pid));
    T value = reader.read(own);
    if (hidden.test(value)) {
      Path entry = of(procRoot, pid);
      if (!entry.equals(own)) {
        return new Seen<>(entry, reader.read(entry));
      }
    }
    return new Seen<>(own, value);
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
