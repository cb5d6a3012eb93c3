package io.kulp.operator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * CPU time (user and system) spent by processes, from /proc/PID/stat, in seconds: where a
 * benchmark's two cores went.
 */
final class CpuTime {

  /** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
  private static final double TICKS = 100;

  private CpuTime() {}

  /** The process {@code pid}'s CPU time so far; 0 when it is gone. */
  static double of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // After "pid (comm) ": state is field 3, utime 14 and stime 15 (man 5 proc).
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The CPU time so far of every kube-apiserver and etcd on this machine. */
  static double apiServerAndEtcd() {
    return ProcessHandle.allProcesses().filter(p -> p.info().command()
            .map(c -> c.endsWith("/kube-apiserver") || c.endsWith("/etcd")).orElse(false))
        .mapToDouble(p -> of(p.pid())).sum();
  }

  /**
   * Waits until {@code cpu} (CPU seconds so far of what is watched) grows by less than
   * {@code cores} of a core between two looks 2 s apart, 5 min at most; says so when it never
   * does. Returns the seconds waited.
   */
  static double awaitQuiet(String what, DoubleSupplier cpu, double cores) {
    long start = System.nanoTime();
    double[] last = {cpu.getAsDouble()};
    try {
      Awaitility.await().atMost(Duration.ofMinutes(5))
          .pollDelay(Duration.ofSeconds(2)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            double now = cpu.getAsDouble();
            double used = now - last[0];
            last[0] = now;
            return used < 2 * cores;
          });
    } catch (ConditionTimeoutException e) {
      System.out.printf("%s not quiet after 5 min; measuring anyway%n", what);
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
