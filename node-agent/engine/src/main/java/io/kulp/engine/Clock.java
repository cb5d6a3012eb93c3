package io.kulp.engine;

import java.io.IOException;
import java.nio.file.Files;

/**
 * Deadlines cross from the engine to the target as CLOCK_MONOTONIC nanoseconds. The JVM's
 * {@link System#nanoTime()} is CLOCK_MONOTONIC on Linux; a target in its own time namespace sees
 * that clock shifted by the offset in {@code /proc/PID/timens_offsets}.
 */
final class Clock {
  long targetMonotonic(TargetProcess target, long engineNanos) {
    return engineNanos + offsetNanos(target);
  }

  private static long offsetNanos(TargetProcess target) {
    try {
      for (String line : Files.readAllLines(target.procPid.resolve("timens_offsets"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 3 && (f[0].equals("monotonic") || f[0].equals("1"))) {
          return Long.parseLong(f[1]) * 1_000_000_000L + Long.parseLong(f[2]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no time namespaces on this kernel: the clocks agree
    }
    return 0;
  }
}
