package io.kulp.engine;

/**
 * The longest time the engine held one of the target's application threads stopped during an
 * operation: from the moment the stop was seen (the quiescence check, which polls its threads in
 * turn, counts from the last moment it knew the thread still ran: an upper bound) to the moment
 * the thread was let go. The helper thread is not counted: it runs only kulp's code. This is the pause
 * kulp causes the application.
 */
final class StopClock {
  private long longest;

  long start() {
    return System.nanoTime();
  }

  void stopped(long since) {
    longest = Math.max(longest, System.nanoTime() - since);
  }

  /** A hold measured elsewhere (the quiescence check's native loop). */
  void held(long nanos) {
    longest = Math.max(longest, nanos);
  }

  long longestNanos() {
    return longest;
  }
}
