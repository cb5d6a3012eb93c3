package io.kulp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How long each thread of a process stayed in a ptrace stop, as the kernel's scheduler saw it: from
 * the switch away from a thread in the traced state to the wake-up that let it go. The engine's own
 * figure is an upper bound (it counts from the last moment it knew the thread was running); this
 * one is the hold the application felt, and the one issue 16's 0.2 ms target is about.
 *
 * <p>Reads the scheduler's trace events through tracefs, in a trace instance of its own, for the
 * process's threads only (the runtime's helper thread, which the engine parks on purpose, is left
 * out). Needs root and tracefs; {@link #start} says why not otherwise.
 */
final class TracedStops implements AutoCloseable {
  private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
  private static final Pattern SWITCH = Pattern.compile(
      " (\\d+)\\.(\\d{6}): sched_switch: .*prev_pid=(\\d+) prev_prio=\\d+ prev_state=(\\S+) ==>");
  private static final Pattern ENTRIES = Pattern.compile("^# entries-in-buffer/entries-written: (\\d+)/(\\d+)");
  private static final Pattern WAKING = Pattern.compile(" (\\d+)\\.(\\d{6}): sched_waking: .* pid=(\\d+) prio=");

  private final Path instance;
  private final Set<Integer> tids;
  private long longest;
  private int stops;
  private boolean lost;

  private TracedStops(Path instance, Set<Integer> tids) {
    this.instance = instance;
    this.tids = tids;
  }

  /** Starts tracing the threads process {@code pid} has now; throws with the reason if it cannot. */
  private static TracedStops start(int pid) throws IOException {
    if (!Files.isDirectory(TRACEFS.resolve("instances"))) {
      throw new IOException("no tracefs at " + TRACEFS + " (as root: mount -t tracefs nodev " + TRACEFS + ")");
    }
    Set<Integer> tids = new HashSet<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        if (!Files.readString(task.resolve("comm")).strip().equals("kulp-helper")) {
          tids.add(Integer.parseInt(task.getFileName().toString()));
        }
      }
    }
    removeStaleInstances();
    Path instance = TRACEFS.resolve("instances/kulp-bench-" + ProcessHandle.current().pid());
    Files.createDirectory(instance);
    TracedStops stops = new TracedStops(instance, tids);
    try {
      write(instance, "buffer_size_kb", "16384");
      write(instance, "set_event_pid", tids.stream().map(String::valueOf).collect(Collectors.joining(" ")));
      write(instance, "events/sched/sched_switch/enable", "1");
      write(instance, "events/sched/sched_waking/enable", "1");
      write(instance, "tracing_on", "1");
      // Enabling the events patches the kernel's code on every CPU; what runs just after that is
      // slower than what the benchmark measures.
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stops.remove();
      throw new IOException("interrupted", e);
    } catch (IOException | RuntimeException e) {
      stops.remove();
      throw e;
    }
    return stops;
  }

  /** Stops tracing and reads the stops; the instance is removed. */
  @Override
  public void close() throws IOException {
    try {
      write(instance, "tracing_on", "0");
      Map<Integer, Long> stoppedAt = new HashMap<>();
      for (String line : Files.readAllLines(instance.resolve("trace"))) {
        Matcher m;
        if ((m = ENTRIES.matcher(line)).find()) {
          lost = !m.group(1).equals(m.group(2));
        } else if ((m = SWITCH.matcher(line)).find()) {
          // The traced state (a ptrace stop) of one of the threads; the trace also shows the
          // threads they switch with, the helper among them.
          int tid = Integer.parseInt(m.group(3));
          if (m.group(4).startsWith("t") && tids.contains(tid)) {
            stoppedAt.put(tid, micros(m));
          }
        } else if ((m = WAKING.matcher(line)).find()) {
          Long since = stoppedAt.remove(Integer.parseInt(m.group(3)));
          if (since != null) {
            stops++;
            longest = Math.max(longest, micros(m) - since);
          }
        }
      }
    } finally {
      remove();
    }
  }

  /**
   * The longest stop over several traced windows (one per target process of a benchmark), in µs
   * (the trace's resolution), and why the figure is missing or only a lower bound.
   */
  static final class Tally {
    private long longest;
    private int stops;
    private String caveat;

    /** A window closed when the work to trace is done. */
    interface Window extends AutoCloseable {
      @Override
      void close() throws IOException;
    }

    /** Traces the threads process {@code pid} has now until the window is closed, if it can. */
    Window open(int pid) {
      TracedStops traced;
      try {
        traced = start(pid);
      } catch (IOException e) {
        caveat = "not measured: " + e.getMessage();
        return () -> {};
      }
      return () -> {
        traced.close();
        longest = Math.max(longest, traced.longest);
        stops += traced.stops;
        if (traced.lost) {
          caveat = "trace events were lost: a lower bound";
        }
      };
    }

    /** For a benchmark's report: the longest stop, how many were timed, and any caveat. */
    String describe() {
      return longest + " µs (" + stops + " stops)" + (caveat == null ? "" : "; " + caveat);
    }
  }

  private static long micros(Matcher m) {
    return Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2));
  }

  private void remove() throws IOException {
    write(instance, "tracing_on", "0");
    Files.delete(instance); // rmdir of an instance frees its buffers
  }

  /** The instances of benchmarks that ended without removing theirs (killed): each holds its buffers. */
  private static void removeStaleInstances() throws IOException {
    try (Stream<Path> instances = Files.list(TRACEFS.resolve("instances"))) {
      for (Path stale : instances.toList()) {
        String name = stale.getFileName().toString();
        if (name.matches("kulp-bench-\\d+")
            && ProcessHandle.of(Long.parseLong(name.substring("kulp-bench-".length()))).isEmpty()) {
          Files.delete(stale);
        }
      }
    }
  }

  private static void write(Path instance, String file, String value) throws IOException {
    Files.writeString(instance.resolve(file), value);
  }
}
