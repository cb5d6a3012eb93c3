package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

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

  /** The index of {@code tid} among the first {@code count} of {@code tids}, or -1. */
  static int indexOf(int tid, int[] tids, int count) {
    for (int i = 0; i < count; i++) {
      if (tids[i] == tid) {
        return i;
      }
    }
    return -1;
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
   * the other.
   *
   * <p>Whatever has stopped is let go before the next thread is seized. A thread may stop the
   * moment it is seized, before any interrupt: on an unprepared function's armed int3 (a signal
   * stops a traced thread), or because it was running when interrupted. Seizing and interrupting
   * 64 threads first took 0.1 ms, during which such a thread waited (the kernel's trace of
   * {@code engine-bench.sh unprepared}, docs/benchmarks.md).
   *
   * <p>From a thread's stop to its release the loop makes only system calls, into buffers made
   * beforehand, and allocates nothing (see {@link Ptrace.HoldBuffers}): the bytes it compares
   * with are read before any thread stops, and a thread's pending SIGTRAP is read from the kernel
   * in one call rather than from {@code /proc} (which cost up to 0.2 ms a thread).
   */
  private static Optional<String> observe(TargetProcess target, List<Integer> running, long[] addrs, long deadline,
      StopClock clock) throws EngineException {
    boolean realtime = !running.isEmpty() && Ptrace.realtimePriority();
    try (Holds holds = new Holds(target, running.size(), addrs, int3Before(target.memory(), addrs), clock)) {
      for (int tid : running) {
        holds.seizeAndInterrupt(tid);
        while (holds.releaseStopped()) {
          // a burst: let each go before the next seize
        }
      }
      // Spin while threads are stopping: a stopped thread waits for this loop to see it.
      long spinUntil = System.nanoTime() + 500_000;
      while (holds.left > 0) {
        if (holds.releaseStopped()) {
          continue; // others may have stopped meanwhile
        }
        long now = System.nanoTime();
        if (now - deadline > 0) {
          throw EngineException.failed("process " + target.pid + ": thread " + holds.pending[0]
              + " did not stop in time");
        }
        if (now - spinUntil < 0) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(20_000);
        }
      }
      return holds.foundTid == 0 ? Optional.empty()
          : Optional.of("thread " + holds.foundTid + " is at " + Long.toHexString(holds.foundPc));
    } catch (NativeError e) {
      throw EngineException.failed("process " + target.pid + ": cannot read a thread: " + e.getMessage());
    } finally {
      if (realtime) {
        Ptrace.ordinaryPriority();
      }
    }
  }

  /** The threads of one check that are seized and not yet let go, and what was found. */
  private static final class Holds implements AutoCloseable {
    private final TargetProcess target;
    private final long[] addrs;
    private final boolean[] int3Before;
    private final StopClock clock;
    private final Ptrace.HoldBuffers buffers = new Ptrace.HoldBuffers();
    /** The first {@link #left} are seized, interrupted and not let go yet. */
    final int[] pending;
    /**
     * When each pending thread was last known to run: its stop came later. A thread is held from
     * its stop, not from the moment this loop sees it, which may be a whole round of polls (one
     * system call a thread, and the handling of the others) or a sleep later.
     */
    private final long[] runningAt;
    int left;
    int foundTid;
    long foundPc;

    Holds(TargetProcess target, int threads, long[] addrs, boolean[] int3Before, StopClock clock) {
      this.target = target;
      this.addrs = addrs;
      this.int3Before = int3Before;
      this.clock = clock;
      this.pending = new int[threads];
      this.runningAt = new long[threads];
    }

    void seizeAndInterrupt(int tid) throws EngineException {
      if (!seize(target, tid)) {
        return;
      }
      pending[left] = tid;
      runningAt[left++] = System.nanoTime();
      try {
        Ptrace.interrupt(tid);
      } catch (NativeError e) {
        if (!e.processGone()) {
          throw EngineException.failed("process " + target.pid + ": " + e.getMessage());
        }
        left--; // gone: never held
      }
    }

    /**
     * Lets go the threads that have stopped, as one system call finds them; false if none had.
     * That call says which tracee of this thread has a stop to report, or that none has: polling
     * each thread in turn took 0.1 ms a round with 64 threads, during which a thread that had just
     * stopped waited to be seen. Only when a tracee outside this check reports first (the helper,
     * if signalled), are they polled one by one.
     */
    boolean releaseStopped() throws NativeError {
      long peeked = System.nanoTime();
      int ready = Ptrace.waitable(buffers);
      if (ready == 0) {
        Arrays.fill(runningAt, 0, left, peeked); // none of them had stopped by then
        return false;
      }
      int ours = indexOf(ready, pending, left);
      int from = ours >= 0 ? ours : 0;
      int to = ours >= 0 ? ours + 1 : left;
      int before = left;
      for (int i = from; i < to;) {
        int tid = pending[i];
        long polled = System.nanoTime();
        // The stop waitable found is read from its report; only an exit, or a poll of every
        // thread, waits for it.
        int status = i == ours ? Ptrace.reportedStop(buffers) : Ptrace.NO_STOP;
        if (status == Ptrace.NO_STOP) {
          status = Ptrace.pollStatus(tid, buffers);
        }
        if (status == Ptrace.NO_STOP) {
          runningAt[i++] = polled;
          continue;
        }
        long since = runningAt[i];
        left--;
        to--;
        pending[i] = pending[left];
        runningAt[i] = runningAt[left];
        if (!Ptrace.Stop.stopped(status)) {
          continue; // exited: never held
        }
        long pc = readAndRelease(tid, status, addrs, int3Before, buffers);
        clock.stopped(since);
        if (pc >= 0 && foundTid == 0 && at(pc, addrs) >= 0) {
          foundTid = tid;
          foundPc = pc;
        }
      }
      return left < before;
    }

    /**
     * Left early (an error, the deadline): a seized thread must stop before it can be let go, and
     * one that was never interrupted would otherwise stay traced.
     */
    @Override
    public void close() {
      for (int i = 0; i < left; i++) {
        try {
          Ptrace.interrupt(pending[i]);
        } catch (NativeError e) {
          // gone, or already stopping
        }
        Ptrace.detachQuietly(pending[i], 0);
      }
      buffers.close();
    }
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

  /** Seizes a running thread; false if it is gone or exiting (it will never run user code again). */
  private static boolean seize(TargetProcess target, int tid) throws EngineException {
    try {
      Ptrace.seize(tid, 0);
      return true;
    } catch (NativeError e) {
      if (e.processGone() || exiting(target, tid)) {
        return false; // an exiting thread is refused with EPERM
      }
      throw EngineException.failed("process " + target.pid + ": cannot look at thread " + tid + " (" + e.getMessage()
          + "); is another debugger attached to it?");
    }
  }

  /**
   * The instruction pointer of a stopped thread, which is then let go at once (with its signal, if
   * any); one caught on an int3 just before a checked address counts as at the int3.
   */
  private static long readAndRelease(int tid, int status, long[] addrs, boolean[] int3Before,
      Ptrace.HoldBuffers buffers) throws NativeError {
    int signal = Ptrace.Stop.pendingSignal(status);
    try {
      long rip = Ptrace.rip(tid, buffers);
      int i = at(rip, addrs);
      // Only a thread at a checked address can be one caught on an int3 just before it (the
      // check lists the addresses right after each armed int3): stopped for the SIGTRAP it
      // raised, or by our interrupt on its way out of the kernel, with that SIGTRAP still queued.
      boolean caught = i >= 0 && int3Before[i] && (signal == SIGTRAP || Ptrace.signalQueued(tid, SIGTRAP, buffers));
      return caught ? rip - 1 : rip;
    } catch (NativeError e) {
      if (e.processGone()) {
        return -1;
      }
      throw e;
    } finally {
      Ptrace.detachQuietly(tid, signal);
    }
  }

  private static final int SIGTRAP = 5;

  private static boolean exiting(TargetProcess target, int tid) throws EngineException {
    try {
      return ProcessEntry.exiting(target.procPid, tid);
    } catch (IOException e) {
      throw EngineException.failed("cannot read thread " + tid + " of process " + target.pid + ": " + e.getMessage());
    }
  }
}
