package io.kulp.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The conversation with one process's runtime through its helper thread.
 *
 * <p>The engine PTRACE_SEIZEs the helper (and only it) for the whole operation: that proves it
 * may ptrace the process and keeps a second engine out. To post a request it stops the helper,
 * checks that the previous request is settled, writes the request, bumps the seq and lets the
 * helper go: the helper's interrupted futex wait restarts, sees the new seq and returns. The
 * engine then polls the response in memory. If the engine dies at any point, the kernel detaches
 * it and the helper carries on alone: it finishes a request it has, and starts none it has not.
 */
final class HelperChannel implements AutoCloseable {
  /** The longest wait past the deadline for a change the runtime is committing. */
  static final Duration MAX_COMMIT_GRACE = Duration.ofSeconds(2);

  private final TargetProcess target;
  private final Clock clock;
  private final StepDelay delay;
  private final ResponseTimes times;
  private final long commitGraceNanos;
  private boolean attached;
  private boolean stopped;
  private int pendingSignal;
  /** How the runtime may write code in this process; decided once, at the first attach. */
  private int flags = -1;

  /** @param timeout the operation's time limit, which the wait for a commit past it is a part of */
  HelperChannel(TargetProcess target, Clock clock, StepDelay delay, ResponseTimes times, Duration timeout) {
    this.target = target;
    this.clock = clock;
    this.delay = delay;
    this.times = times;
    this.commitGraceNanos = commitGrace(timeout).toNanos();
  }

  /**
   * How long past the deadline the engine waits for a change it saw {@code COMMITTING}: a quarter
   * of the operation's timeout, at most {@link #MAX_COMMIT_GRACE}. A commit is a few stores, the
   * mprotect calls around them, a barrier and the patch table's update: well under a millisecond.
   * The runtime completes it whether or not the engine waits, so the wait only buys a definite
   * answer when the helper was descheduled at that moment; past it, the engine says "committing;
   * check with ulp patches" (30 s used to pass first, whatever the timeout).
   */
  static Duration commitGrace(Duration timeout) {
    Duration quarter = timeout.dividedBy(4);
    return quarter.compareTo(MAX_COMMIT_GRACE) < 0 ? quarter : MAX_COMMIT_GRACE;
  }

  int tid() {
    return target.helperTid;
  }

  int pid() {
    return target.pid;
  }

  /** Fault injection point (see {@link StepDelay}). */
  void pause(String step) {
    delay.pause(step);
  }

  /** Seizes and stops the helper. */
  void attach(long deadline) throws EngineException {
    if (!HelperThreads.isThreadOf(target.procPid, target.helperTid)) {
      throw HelperThreads.notItsThread(target.procPid, target.pid, target.helperTid);
    }
    try {
      Ptrace.seize(target.helperTid, 0);
    } catch (NativeError e) {
      if (e.processGone()) {
        throw EngineException.gone(target.pid);
      }
      if (e.errno() == LibC.EPERM && tracedBy() > 0) {
        throw EngineException.failed("process " + target.pid + " is being traced by process " + tracedBy()
            + " (another ulp or a debugger); retry when it has finished");
      }
      throw EngineException.failed(e.denied() ? Permissions.deniedMessage(target.pid) : e.getMessage());
    }
    attached = true;
    // Checked again now that the thread is held, and so cannot be given to another process: in
    // the moment between the check above and the seize, the helper may have ended and its TID been
    // reused. Then it must be let go at once, which takes a stop of a few microseconds (a running
    // tracee cannot be detached); left traced, its next signal would stop it for good.
    if (!HelperThreads.isThreadOf(target.procPid, target.helperTid)) {
      close();
      throw HelperThreads.notItsThread(target.procPid, target.pid, target.helperTid);
    }
    delay.pause("seized");
    stop(deadline);
    if (flags < 0) {
      flags = WritePolicy.flags(target, target.helperTid); // reads the helper's seccomp filters: needs it stopped
    }
  }

  private int tracedBy() {
    try {
      for (String line : Files.readAllLines(target.procPid.resolve("task/" + target.helperTid + "/status"))) {
        if (line.startsWith("TracerPid:")) {
          return Integer.parseInt(line.substring(10).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private void stop(long deadline) throws EngineException {
    if (stopped) {
      return;
    }
    try {
      Ptrace.interrupt(target.helperTid);
      Ptrace.Stop stop = Ptrace.waitStop(target.helperTid, deadline);
      if (stop.gone()) {
        attached = false;
        throw EngineException.gone(target.pid);
      }
      pendingSignal = stop.pendingSignal();
      stopped = true;
      if (stop.groupStop()) {
        throw EngineException.failed("process " + target.pid + " is stopped (job control); continue it (kill -CONT "
            + target.pid + ") and retry");
      }
    } catch (NativeError e) {
      throw EngineException.failed("cannot stop the kulp helper of process " + target.pid + ": " + e.getMessage());
    } catch (EngineTimeout e) {
      throw EngineException.failed("process " + target.pid + ": the kulp helper did not stop in time");
    }
  }

  private void resume() throws EngineException {
    if (!stopped) {
      return;
    }
    try {
      Ptrace.cont(target.helperTid, pendingSignal);
      pendingSignal = 0;
      stopped = false;
    } catch (NativeError e) {
      throw EngineException.failed("cannot resume the kulp helper of process " + target.pid + ": " + e.getMessage());
    }
  }

  /**
   * Posts {@code request} and waits for the runtime to settle it, up to {@code deadline} (engine
   * clock); a change the runtime has started committing is waited for a while longer, because it
   * will complete whether or not we wait.
   */
  Response send(Request request, long deadline) throws EngineException {
    return send(request, deadline, false);
  }

  /**
   * Like {@link #send(Request, long)}; with {@code last}, the helper is released (detached) as it
   * is let go, rather than stopped once more at {@link #close()}: the final request of an
   * operation saves a stop that way.
   */
  Response send(Request request, long deadline, boolean last) throws EngineException {
    ProcessMemory mem = target.memory();
    long requestBase = target.abi + Abi.REQUEST_OFF;
    if (!attached) {
      attach(deadline); // released by an earlier final request of the same operation
    }
    try {
      stop(deadline);
      int seq = settledSeq(deadline);
      byte[] body = request.body(flags, clock.targetMonotonic(target, deadline));
      mem.write(requestBase + Abi.REQ_COMMAND, body);
      mem.write(requestBase + Abi.REQ_SEQ, le32(seq + 1));
      delay.pause("posted");
      if (last) {
        release();
      } else {
        resume();
      }
      long posted = System.nanoTime();
      LockSupport.parkNanos(times.firstSleepNanos(request.command()));
      Response response = awaitSettled(seq + 1, deadline);
      times.observed(request.command(), System.nanoTime() - posted);
      return response;
    } catch (NativeError e) {
      if (e.processGone()) {
        throw EngineException.gone(target.pid);
      }
      throw EngineException.failed("cannot talk to the kulp runtime of process " + target.pid + ": " + e.getMessage());
    }
  }

  /** The seq of the last request, once the runtime has answered it; the helper is stopped on return. */
  private int settledSeq(long deadline) throws NativeError, EngineException {
    for (;;) {
      int seq = target.memory().read(target.abi + Abi.REQUEST_OFF + Abi.REQ_SEQ, 4).getInt(0);
      ByteBuffer h = target.memory().read(target.abi + Abi.RESPONSE_OFF, 8);
      int phase = h.getInt(Abi.RESP_PHASE);
      if (h.getInt(Abi.RESP_SEQ) == seq && phase != Response.WORKING && phase != Response.COMMITTING) {
        return seq;
      }
      // An earlier request (perhaps from an engine that died) is still being served: let it finish.
      resume();
      awaitSettled(seq, deadline);
      stop(deadline);
    }
  }

  private Response awaitSettled(int seq, long deadline) throws NativeError, EngineException {
    // The caller already slept through most of the usual answer time (ResponseTimes); from
    // there, spin briefly, then poll at 25 µs doubling to 200 µs: each poll costs a system call
    // and a wake-up, and the helper we wait for needs a CPU.
    long spinUntil = System.nanoTime() + 10_000;
    long sleep = 25_000;
    for (;;) {
      ByteBuffer h = target.memory().read(target.abi + Abi.RESPONSE_OFF, 8);
      int phase = h.getInt(Abi.RESP_PHASE);
      if (h.getInt(Abi.RESP_SEQ) == seq && phase >= Response.DONE) {
        return Response.read(target.memory(), target.abi);
      }
      long now = System.nanoTime();
      boolean committing = h.getInt(Abi.RESP_SEQ) == seq && phase == Response.COMMITTING;
      if (now - deadline > 0 && !(committing && now - deadline < commitGraceNanos)) {
        // The runtime checks the same deadline before it changes anything: unless it was
        // already committing, it will drop the request.
        throw EngineException.failed("process " + target.pid + ": timed out waiting for the kulp runtime"
            + (committing ? " while it was committing; check the result with `ulp patches -p " + target.pid + "`"
                : "; nothing was changed"));
      }
      if (now - spinUntil < 0) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(sleep);
        sleep = Math.min(sleep * 2, 200_000);
      }
    }
  }

  private void release() throws EngineException {
    try {
      Ptrace.detach(target.helperTid, pendingSignal);
      pendingSignal = 0;
      stopped = false;
      attached = false;
    } catch (NativeError e) {
      throw EngineException.failed("cannot release the kulp helper of process " + target.pid + ": " + e.getMessage());
    }
  }

  private static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  /** Stops the helper (if running) and detaches from it. */
  @Override
  public void close() {
    if (!attached) {
      return;
    }
    try {
      stop(System.nanoTime() + 2_000_000_000L);
    } catch (EngineException e) {
      // Gone or stuck: detaching below is all that is left to do, and the kernel does it for us
      // when the engine exits anyway.
    }
    Ptrace.detachQuietly(target.helperTid, pendingSignal);
    attached = false;
    stopped = false;
  }
}
