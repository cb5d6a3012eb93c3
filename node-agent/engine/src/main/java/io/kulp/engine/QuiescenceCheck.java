package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.util.Optional;

/**
 * Proves that no thread of the target sits between the two one-byte NOPs of a function entry,
 * so that the runtime may turn the (now merged) NOP into a jump. The runtime has already written
 * the first byte as 0x66, so any thread that reaches the entry from now on decodes one 2-byte NOP;
 * only a thread that was already past the first NOP could still execute the second byte alone.
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
      return Ptrace.registers(tid).rip();
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
