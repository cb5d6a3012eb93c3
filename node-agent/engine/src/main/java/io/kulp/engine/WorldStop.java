package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every thread of a target stopped at once, for code writes the runtime cannot make itself (the
 * process forbids writable code). Threads are seized with PTRACE_O_TRACECLONE and the thread list
 * is re-read until it stops growing, so a thread created during the attach is caught too. The
 * stops are ptrace-stops: the parent sees nothing, interrupted system calls restart, and a
 * signal that arrives meanwhile is handed back on detach. If the engine dies, the kernel detaches
 * every thread and they simply continue.
 */
final class WorldStop implements AutoCloseable {
  private final TargetProcess target;
  private final int helperTid;
  /** tid -> signal to hand back on detach */
  private final Map<Integer, Integer> stopped = new LinkedHashMap<>();
  private final StopClock clock;
  private long firstStop;

  private WorldStop(TargetProcess target, int helperTid, StopClock clock) {
    this.target = target;
    this.helperTid = helperTid;
    this.clock = clock;
  }

  /** Stops every thread except the helper, which the caller holds stopped already. */
  static WorldStop stopAll(TargetProcess target, int helperTid, long deadline, StopClock clock)
      throws EngineException {
    WorldStop world = new WorldStop(target, helperTid, clock);
    try {
      world.stopEveryThread(deadline);
      return world;
    } catch (EngineException | RuntimeException e) {
      world.close();
      throw e;
    }
  }

  private void stopEveryThread(long deadline) throws EngineException {
    try {
      boolean grew = true;
      while (grew) {
        grew = false;
        for (int tid : Threads.of(target.procPid)) {
          if (tid == helperTid || stopped.containsKey(tid)) {
            continue;
          }
          try {
            Ptrace.seize(tid, LibC.PTRACE_O_TRACECLONE);
          } catch (NativeError e) {
            // Gone, exiting, or born traced by us from a thread we seized (its clone event comes
            // next); anything else is caught by the final check below.
            continue;
          }
          stopped.put(tid, 0);
          grew = true;
          Ptrace.interrupt(tid);
        }
      }
      for (Integer tid : List.copyOf(stopped.keySet())) {
        awaitStop(tid, deadline);
      }
      for (int tid : Threads.of(target.procPid)) {
        if (tid != helperTid && !stopped.containsKey(tid) && !ProcessEntry.exiting(target.procPid, tid)) {
          throw EngineException.failed("process " + target.pid + ": cannot stop thread " + tid
              + "; is another debugger attached to it?");
        }
      }
    } catch (IOException e) {
      throw EngineException.failed("cannot list the threads of process " + target.pid + ": " + e.getMessage());
    } catch (NativeError e) {
      throw EngineException.failed("process " + target.pid + ": " + e.getMessage());
    }
  }

  private void awaitStop(int tid, long deadline) throws EngineException, NativeError {
    try {
      Ptrace.Stop stop = Ptrace.waitStop(tid, deadline);
      if (stop.gone()) {
        stopped.remove(tid);
        return;
      }
      if (stop.event() == LibC.PTRACE_EVENT_CLONE) {
        // A thread created during the attach: traced from birth, it reports its own first stop.
        int child = (int) Ptrace.eventMessage(tid);
        stopped.put(child, 0);
        awaitStop(child, deadline);
        return;
      }
      stopped.put(tid, stop.pendingSignal());
      if (firstStop == 0) {
        firstStop = clock.start();
      }
    } catch (EngineTimeout e) {
      throw EngineException.failed("process " + target.pid + ": thread " + tid + " did not stop in time");
    }
  }

  /** The stopped threads (all but the helper). */
  List<Integer> threads() {
    return List.copyOf(stopped.keySet());
  }

  /** Describes a stopped thread whose instruction pointer lies in one of the ranges, if any. */
  Optional<String> threadInside(List<long[]> ranges) throws EngineException {
    for (int tid : stopped.keySet()) {
      long rip;
      try {
        rip = Ptrace.registers(tid).rip();
      } catch (NativeError e) {
        continue; // exited while stopped
      }
      for (long[] r : ranges) {
        if (Long.compareUnsigned(rip, r[0]) >= 0 && Long.compareUnsigned(rip, r[1]) < 0) {
          return Optional.of("thread " + tid + " is at " + Long.toHexString(rip));
        }
      }
    }
    return Optional.empty();
  }

  /** Writes code, after checking the bytes are still what the runtime saw. */
  void write(List<Response.CodeWrite> writes) throws EngineException {
    try {
      for (Response.CodeWrite w : writes) {
        byte[] now = new byte[w.expect().length];
        target.memory().read(w.addr(), now.length).get(now);
        if (!java.util.Arrays.equals(now, w.expect())) {
          throw EngineException.failed("process " + target.pid + ": code at " + Long.toHexString(w.addr())
              + " changed since the runtime planned the patch; retry");
        }
      }
      for (Response.CodeWrite w : writes) {
        target.memory().writeCode(w.addr(), w.bytes());
      }
    } catch (NativeError | IOException e) {
      throw EngineException.failed("process " + target.pid + ": cannot write code: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    for (Map.Entry<Integer, Integer> e : stopped.entrySet()) {
      Ptrace.detachQuietly(e.getKey(), e.getValue());
    }
    stopped.clear();
    if (firstStop != 0) {
      clock.stopped(firstStop);
    }
  }
}
