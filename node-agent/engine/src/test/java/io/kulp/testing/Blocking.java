package io.kulp.testing;

import java.util.concurrent.CountDownLatch;

/** Stand-ins for work that blocks in the kernel, for the tests of time limits and deadlines. */
public final class Blocking {
  private Blocking() {}

  /** Waits for {@code latch}, interrupted or not: a thread stuck in a system call ignores interrupts. */
  public static void hang(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
