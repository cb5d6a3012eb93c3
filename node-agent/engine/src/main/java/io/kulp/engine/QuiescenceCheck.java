package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * interrupted together, and each is let go the moment its registers are read, so that a thread is
 * held for microseconds whatever the thread count.
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
        } else if (pc > 0 && at(pc, addrs)) {
          return Optional.of("thread " + tid + " is at " + Long.toHexString(pc));
        } // pc < 0: exited meanwhile
      }
    } catch (IOException e) {
      throw EngineException.failed("cannot list the threads of process " + target.pid + ": " + e.getMessage());
    }
    return observe(target, running, addrs, deadline, clock);
  }

  private static boolean at(long pc, long[] addrs) {
    for (long a : addrs) {
      if (pc == a) {
        return true;
      }
    }
    return false;
  }

  /**
   * Interrupts every running thread at once and lets each go the moment its registers are read:
   * each is held only for that moment, and the check lasts as long as the slowest thread takes to
   * stop (it must get a CPU first), not as long as all of them one after the other.
   */
  private static Optional<String> observe(TargetProcess target, List<Integer> running, long[] addrs, long deadline,
      StopClock clock) throws EngineException {
    Set<Integer> pending = new LinkedHashSet<>();
    String found = null;
    boolean realtime = !running.isEmpty() && Ptrace.realtimePriority();
    try {
      for (int tid : running) {
        if (seize(target, tid)) {
          pending.add(tid);
        }
      }
      for (Iterator<Integer> it = pending.iterator(); it.hasNext();) {
        try {
          Ptrace.interrupt(it.next());
        } catch (NativeError e) {
          if (!e.processGone()) {
            throw EngineException.failed("process " + target.pid + ": " + e.getMessage());
          }
          it.remove();
        }
      }
      // Spin while threads are stopping: a stopped thread waits for this loop to see it.
      long spinUntil = System.nanoTime() + 500_000;
      while (!pending.isEmpty()) {
        for (Iterator<Integer> it = pending.iterator(); it.hasNext();) {
          int tid = it.next();
          Ptrace.Stop stop = Ptrace.pollStop(tid);
          if (stop == null) {
            continue;
          }
          it.remove();
          // Held from the moment the stop is seen, as for every stop the engine makes (StopClock).
          long seen = clock.start();
          long pc = stop.gone() ? -1 : readAndRelease(target, tid, stop, addrs);
          clock.stopped(seen);
          if (pc >= 0 && found == null && at(pc, addrs)) {
            found = "thread " + tid + " is at " + Long.toHexString(pc);
          }
        }
        if (pending.isEmpty()) {
          break;
        }
        long now = System.nanoTime();
        if (now - deadline > 0) {
          throw EngineException.failed("process " + target.pid + ": thread " + pending.iterator().next()
              + " did not stop in time");
        }
        if (now - spinUntil < 0) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(20_000);
        }
      }
      return Optional.ofNullable(found);
    } catch (NativeError e) {
      throw EngineException.failed("process " + target.pid + ": cannot read a thread: " + e.getMessage());
    } finally {
      // Left early (an error, the deadline): a seized thread must stop before it can be let go,
      // and one that was never interrupted would otherwise stay traced.
      for (int tid : pending) {
        try {
          Ptrace.interrupt(tid);
        } catch (NativeError e) {
          // gone, or already stopping
        }
        Ptrace.detachQuietly(tid, 0);
      }
      if (realtime) {
        Ptrace.ordinaryPriority();
      }
    }
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

  /** The instruction pointer of a stopped thread, which is then let go at once (with its signal, if any). */
  private static long readAndRelease(TargetProcess target, int tid, Ptrace.Stop stop, long[] addrs)
      throws NativeError {
    int signal = stop.pendingSignal();
    try {
      long rip = Ptrace.registers(tid).rip();
      // Only a thread at a checked address can be one caught on an int3 just before it (the
      // check lists the addresses right after each armed int3); everything else is let go at once.
      return at(rip, addrs) && executedInt3(target, rip) && (signal == SIGTRAP || trapPending(target, tid))
          ? rip - 1 : rip;
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

  /**
   * Whether the thread has a SIGTRAP queued: stopped by our interrupt on its way out of the kernel
   * after an int3, it has not run the handler yet.
   */
  private static boolean trapPending(TargetProcess target, int tid) {
    try {
      for (String line : Files.readAllLines(target.procPid.resolve("task").resolve(Integer.toString(tid))
          .resolve("status"))) {
        if (line.startsWith("SigPnd:")) {
          return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> (SIGTRAP - 1) & 1) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unreadable: not proven to be at the int3
    }
    return false;
  }

  /** Whether the byte before {@code rip} is an int3 (0xcc): where a trap leaves the instruction pointer. */
  private static boolean executedInt3(TargetProcess target, long rip) {
    try {
      return target.memory().read(rip - 1, 1).get(0) == (byte) 0xcc;
    } catch (NativeError e) {
      return false;
    }
  }

  private static boolean exiting(TargetProcess target, int tid) throws EngineException {
    try {
      return ProcessEntry.exiting(target.procPid, tid);
    } catch (IOException e) {
      throw EngineException.failed("cannot read thread " + tid + " of process " + target.pid + ": " + e.getMessage());
    }
  }
}
