package io.kulp.operator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
