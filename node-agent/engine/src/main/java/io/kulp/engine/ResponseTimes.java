package io.kulp.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long the runtime has lately taken to answer each kind of request, so that the engine first
 * sleeps through most of that time instead of polling the target's memory every few microseconds:
 * on a busy machine those polls cost as much CPU as the patching itself. Shared by every thread of
 * one engine; a plain moving average, racy updates are harmless.
 */
final class ResponseTimes {
  private static final int KINDS = 8;
  private final AtomicLongArray averageNanos = new AtomicLongArray(KINDS);

  /** How long to sleep before the first poll for a request of this command. */
  long firstSleepNanos(int command) {
    return averageNanos.get(command & (KINDS - 1)) * 6 / 10;
  }

  void observed(int command, long nanos) {
    int k = command & (KINDS - 1);
    long avg = averageNanos.get(k);
    averageNanos.set(k, avg == 0 ? nanos : (avg * 7 + nanos) / 8);
  }
}
