package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
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
 * <p>Each thread is looked at once, never all at the same time: a thread blocked in the kernel
 * shows its user instruction pointer in {@code /proc/PID/task/TID/syscall} without being touched;
 * a running one is interrupted on its own for the microseconds it takes to read its registers.
 */
final class QuiescenceCheck {
  private QuiescenceCheck() {}

  /** Describes a thread found at one of {@code addrs}, or empty if none is. */
  static Optional<String> findThreadAt(TargetProcess target, int helperTid, long[] addrs, long deadline,
      StopClock clock) throws EngineException {
    try {
      for (int tid : Threads.of(target.procPid)) {
        if (tid == helperTid) {
          continue; // parked in futex_wait, and never runs patched code
        }
        long pc = Threads.blockedPc(target.procPid, tid);
        if (pc < 0) {
          continue; // exited meanwhile
        }
        if (pc == 0) {
          pc = observe(target, tid, deadline, clock);
          if (pc < 0) {
            continue;
          }
        }
        for (long a : addrs) {
          if (pc == a) {
            return Optional.of("thread " + tid + " is at " + Long.toHexString(a));
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw EngineException.failed("cannot list the threads of process " + target.pid + ": " + e.getMessage());
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

  /** The instruction pointer of a running thread, read during a stop of that thread only; -1 if gone. */
  private static long observe(TargetProcess target, int tid, long deadline, StopClock clock)
      throws EngineException {
    try {
      Ptrace.seize(tid, 0);
    } catch (NativeError e) {
      if (e.processGone() || exiting(target, tid)) {
        return -1; // an exiting thread is refused with EPERM, and will never run user code again
      }
      throw EngineException.failed("process " + target.pid + ": cannot look at thread " + tid + " (" + e.getMessage()
          + "); is another debugger attached to it?");
    }
    int signal = 0;
    long since = 0;
    try {
      Ptrace.interrupt(tid);
      Ptrace.Stop stop = Ptrace.waitStop(tid, deadline);
      since = clock.start();
      if (stop.gone()) {
        return -1;
      }
      signal = stop.pendingSignal();
      long rip = Ptrace.registers(tid).rip();
      return executedInt3(target, rip) && (signal == SIGTRAP || trapPending(target, tid)) ? rip - 1 : rip;
    } catch (NativeError e) {
      if (e.processGone()) {
        return -1;
      }
      throw EngineException.failed("process " + target.pid + ": cannot read thread " + tid + ": " + e.getMessage());
    } catch (EngineTimeout e) {
      throw EngineException.failed("process " + target.pid + ": thread " + tid + " did not stop in time");
    } finally {
      Ptrace.detachQuietly(tid, signal);
      if (since != 0) {
        clock.stopped(since);
      }
    }
  }
}
