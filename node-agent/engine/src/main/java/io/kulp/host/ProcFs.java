package io.kulp.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what the agent needs from the host's procfs. A process can exit between two reads; the
 * methods then throw {@link java.nio.file.NoSuchFileException}, which callers treat as "gone".
 */
public final class ProcFs {
  /** Field 22 of /proc/PID/stat, counted from field 3, the first one after the command name. */
  private static final int START_TIME_AFTER_COMM = 22 - 3;

  private final HostPaths paths;

  public ProcFs(HostPaths paths) {
    this.paths = paths;
  }

  /** The PIDs of every process on the host, in no particular order. */
  public List<Integer> pids() throws IOException {
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(paths.proc())) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
          pids.add(Integer.parseInt(name));
        }
      }
    }
    return pids;
  }

  /**
   * The cgroup path of the process in each hierarchy, from {@code /proc/PID/cgroup}, whose lines
   * are {@code hierarchy-id:controllers:path} ({@code 0::path} for cgroup v2).
   */
  public List<String> cgroupPaths(int pid) throws IOException {
    // In a cgroup v1 hierarchy the kernel shows "/" for a thread that has begun to exit. A process
    // whose main thread has exited (pthread_exit) is shown where it really is by a live thread.
    return ProcessEntry.read(paths.proc(), pid, ProcFs::cgroupPaths,
        own -> own.stream().allMatch("/"::equals)).value();
  }

  private static List<String> cgroupPaths(Path procPid) throws IOException {
    List<String> cgroupPaths = new ArrayList<>();
    for (String line : Files.readAllLines(procPid.resolve("cgroup"))) {
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second >= 0) {
        cgroupPaths.add(line.substring(second + 1));
      }
    }
    return cgroupPaths;
  }

  /**
   * The PID inside the innermost PID namespace of the process: the last field of the {@code NSpid}
   * line of {@code /proc/PID/status} (Linux 4.1 and later).
   */
  public int containerPid(int pid) throws IOException {
    Path status = paths.proc(pid).resolve("status");
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("NSpid:")) {
        String[] fields = line.substring("NSpid:".length()).trim().split("\\s+");
        return Integer.parseInt(fields[fields.length - 1]);
      }
    }
    throw new IOException(status + " has no NSpid line; kulp needs Linux 4.1 or later");
  }

  /** Field 22 of {@code /proc/PID/stat}: the process start time, in clock ticks after boot. */
  public long startTime(int pid) throws IOException {
    Path stat = paths.proc(pid).resolve("stat");
    String content = Files.readString(stat);
    // Field 2 is the command name in parentheses; it may itself hold spaces and parentheses.
    int commEnd = content.lastIndexOf(')');
    String[] fields = content.substring(commEnd + 1).trim().split("\\s+");
    if (commEnd < 0 || fields.length <= START_TIME_AFTER_COMM) {
      throw new IOException(stat + " is too short to hold a start time");
    }
    return Long.parseLong(fields[START_TIME_AFTER_COMM]);
  }

  /** The host PID, container PID and start time of one process. */
  public ContainerProcess describe(int pid) throws IOException {
    return new ContainerProcess(pid, containerPid(pid), startTime(pid));
  }
}
