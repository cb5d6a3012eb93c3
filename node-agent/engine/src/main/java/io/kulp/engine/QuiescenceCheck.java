package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Proves that no thread of the target sits at any of the addresses the runtime names: between the
 * two one-byte NOPs of a prepared function's entry (the runtime has already merged them into one
 * 2-byte NOP, so only a thread that was past the first could still execute the second alone), or
 * strictly inside the 5 bytes a jump will overwrite in a function without padding (the runtime has
 * already put an int3 on the first byte, so only a thread that had started those instructions
 * before could be there).
 *
 * <p>A thread caught on that int3 itself (stopped for the SIGTRAP it raised, its instruction
 * pointer just past the int3) is at the int3, not inside the bytes: the runtime's handler sends it
 * on when it runs.
 *
 * <p>Each thread is looked at once: a thread blocked in the kernel shows its user instruction
 * pointer in {@code /proc/PID/task/TID/syscall} without being touched; the running ones are all
 * interrupted one after the other, and each is let go the moment its registers are read, so that a
 * thread is held for microseconds whatever the thread count.
 */
final class QuiescenceCheck {
  private QuiescenceCheck() {}

  /** Describes a thread found at one of {@code addrs}, or empty if none is. */
  static Optional<String> findThreadAt(TargetProcess target, int helperTid, long[] addrs, long deadline,
      StopClock clock) throws EngineException {
    List<Integer> running = new ArrayList<>();
    try {
      for (int tid : Threads.of(target.procPid)) {
        if (tid == helperTid) {
          continue; // parked in futex_wait, and never runs patched code
        }
        long pc = Threads.blockedPc(target.procPid, tid);
        if (pc == 0) {
          running.add(tid);
        } else if (pc > 0 && at(pc, addrs) >= 0) {
          return Optional.of("thread " + tid + " is at " + Long.toHexString(pc));
        } // pc < 0: exited meanwhile
      }
    } catch (IOException e) {
      throw EngineException.failed("cannot list the threads of process " + target.pid + ": " + e.getMessage());
    }
    return observe(target, running, addrs, deadline, clock);
  }

  /** The index of {@code pc} in {@code addrs}, or -1. */
  private static int at(long pc, long[] addrs) {
    for (int i = 0; i < addrs.length; i++) {
      if (pc == addrs[i]) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Seizes and interrupts the running threads one after the other, and lets each go the moment its
   * registers are read: each is held only for that moment, and the check lasts as long as the
   * slowest thread takes to stop (it must get a CPU first), not as long as all of them one after
   * the other. The loop is {@link HoldLoop}, in C, so that no JVM safepoint can pause it while it
   * holds a thread.
   *
   * <p>Whatever has stopped is let go before the next thread is seized. A thread may stop the
   * moment it is seized, before any interrupt: on an unprepared function's armed int3 (a signal
   * stops a traced thread), or because it was running when interrupted. Seizing and interrupting
   * 64 threads first took 0.1 ms, during which such a thread waited (the kernel's trace of
   * {@code engine-bench.sh unprepared}, docs/benchmarks.md).
   */
  private static Optional<String> observe(TargetProcess target, List<Integer> running, long[] addrs, long deadline,
      StopClock clock) throws EngineException {
    if (running.isEmpty()) {
      return Optional.empty();
    }
    int[] tids = running.stream().mapToInt(Integer::intValue).toArray();
    boolean[] int3Before = int3Before(target.memory(), addrs);
    boolean realtime = Ptrace.realtimePriority();
    HoldLoop.Outcome seen;
    try {
      seen = HoldLoop.check(tids, addrs, int3Before, deadline);
    } catch (LinkageError e) { // a build or an install without it: nothing was seized
      throw EngineException.failed("the engine's libkulp-hold.so cannot be loaded (" + e.getMessage()
          + "); it comes in the engine's jar under linux-x86-64/: rebuild or reinstall kulp");
    } finally {
      if (realtime) {
        Ptrace.ordinaryPriority();
      }
    }
    clock.held(seen.longestNanos());
    for (int tid : seen.refused()) {
      if (!exiting(target, tid)) { // an exiting thread is refused with EPERM
        throw EngineException.failed("process " + target.pid + ": cannot look at thread " + tid + " ("
            + new NativeError("ptrace(PTRACE_SEIZE, " + tid + ")", LibC.EPERM).getMessage()
            + "); is another debugger attached to it?");
      }
    }
    if (seen.failedStep() == HoldLoop.DEADLINE) {
      throw EngineException.failed("process " + target.pid + ": thread " + seen.failedTid() + " did not stop in time");
    }
    if (seen.failed()) {
      throw EngineException.failed("process " + target.pid + ": cannot read a thread: " + seen.failure());
    }
    return seen.foundTid() == 0 ? Optional.empty()
        : Optional.of("thread " + seen.foundTid() + " is at " + Long.toHexString(seen.foundPc()));
  }

  /**
   * For each address, whether the byte before it is an int3 (0xcc): where a trap leaves the
   * instruction pointer. Read once before any thread is stopped: nothing writes code during the
   * check (the runtime armed its int3s before asking for it and waits for the answer), and a
   * byte that cannot be read is not proven to be an int3.
   */
  static boolean[] int3Before(TargetMemory memory, long[] addrs) {
    boolean[] int3 = new boolean[addrs.length];
    for (int i = 0; i < addrs.length; i++) {
      try {
        int3[i] = memory.read(addrs[i] - 1, 1).get(0) == (byte) 0xcc;
      } catch (NativeError e) {
        int3[i] = false;
      }
    }
    return int3;
  }



  private static boolean exiting(TargetProcess target, int tid) throws EngineException {
    try {
      return ProcessEntry.exiting(target.procPid, tid);
    } catch (IOException e) {
      throw EngineException.failed("cannot read thread " + tid + " of process " + target.pid + ": " + e.getMessage());
    }
  }
}
