package io.kulp.engine;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.util.concurrent.locks.LockSupport;

/**
 * ptrace on one thread of a target. Linux only accepts ptrace requests for a tracee from the
 * thread that seized it, so every method here must be called from that same thread; the engine
 * runs each target's whole operation on one worker thread for that reason.
 *
 * <p>kulp only ever uses PTRACE_SEIZE and PTRACE_INTERRUPT: the stops they cause are ptrace-stops,
 * which the target's parent never sees (no SIGCHLD, nothing for waitpid(WUNTRACED)), and a system
 * call they interrupt is restarted by the kernel when the thread resumes, as no signal handler
 * ran in between.
 */
final class Ptrace {
  private Ptrace() {}

  /**
   * What a stopped (or vanished) tracee reported to waitpid; the static forms decode a bare status.
   */
  record Stop(int status) {
    static boolean stopped(int status) {
      return (status & 0xff) == 0x7f;
    }

    static int signal(int status) {
      return (status >> 8) & 0xff;
    }

    static int event(int status) {
      return (status >> 16) & 0xff;
    }

    /** A signal the tracee was about to receive; it must be handed back when it resumes. */
    static int pendingSignal(int status) {
      return stopped(status) && event(status) == 0 ? signal(status) : 0;
    }

    boolean stopped() {
      return stopped(status);
    }

    boolean gone() {
      return !stopped();
    }

    int signal() {
      return signal(status);
    }

    int event() {
      return event(status);
    }

    int pendingSignal() {
      return pendingSignal(status);
    }

    /** Stopped with its whole process (SIGSTOP and friends), not by us. */
    boolean groupStop() {
      return stopped() && event() == LibC.PTRACE_EVENT_STOP && signal() != 5 /* SIGTRAP */;
    }
  }

  /** rip and rsp of a stopped tracee. */
  record Registers(long rip, long rsp) {}

  static void seize(int tid, int options) throws NativeError {
    if (LibC.ptrace(LibC.PTRACE_SEIZE, tid, 0L, (long) options) < 0) {
      throw NativeError.last("ptrace(PTRACE_SEIZE, " + tid + ")");
    }
  }

  static void interrupt(int tid) throws NativeError {
    if (LibC.ptrace(LibC.PTRACE_INTERRUPT, tid, 0L, 0L) < 0) {
      throw NativeError.last("ptrace(PTRACE_INTERRUPT, " + tid + ")");
    }
  }

  static void cont(int tid, int signal) throws NativeError {
    if (LibC.ptrace(LibC.PTRACE_CONT, tid, 0L, (long) signal) < 0) {
      throw NativeError.last("ptrace(PTRACE_CONT, " + tid + ")");
    }
  }

  static void detach(int tid, int signal) throws NativeError {
    if (LibC.ptrace(LibC.PTRACE_DETACH, tid, 0L, (long) signal) < 0) {
      throw NativeError.last("ptrace(PTRACE_DETACH, " + tid + ")");
    }
  }

  /**
   * Detaches, ignoring a tracee that is already gone. A tracee that has exited cannot be detached:
   * it stays a zombie until its tracer waits for it, and keeps its whole process from being reaped
   * meanwhile (its parent sees a zombie that never goes). So when the detach fails, this waits for
   * the tracee's exit, up to 50 ms (a thread killed with its process exits in microseconds), and
   * detaches it if it stopped instead.
   */
  static void detachQuietly(int tid, int signal) {
    if (LibC.ptrace(LibC.PTRACE_DETACH, tid, 0L, (long) signal) == 0) {
      return;
    }
    int[] status = new int[1];
    for (long until = System.nanoTime() + 50_000_000L;;) {
      int r = LibC.waitpid(tid, status, LibC.WALL | LibC.WNOHANG);
      if (r == tid) {
        if (new Stop(status[0]).stopped()) {
          LibC.ptrace(LibC.PTRACE_DETACH, tid, 0L, (long) signal);
        }
        return;
      }
      if ((r < 0 && Native.getLastError() != LibC.EINTR) || System.nanoTime() - until > 0) {
        return; // not ours to wait for (ECHILD), or running: nothing more to do from here
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  static long eventMessage(int tid) throws NativeError {
    try (Memory m = new Memory(8)) {
      if (LibC.ptrace(LibC.PTRACE_GETEVENTMSG, tid, 0L, m) < 0) {
        throw NativeError.last("ptrace(PTRACE_GETEVENTMSG, " + tid + ")");
      }
      return m.getLong(0);
    }
  }

  static Registers registers(int tid) throws NativeError {
    try (Memory regs = new Memory(27 * 8)) { // struct user_regs_struct
      if (LibC.ptrace(LibC.PTRACE_GETREGS, tid, 0L, regs) < 0) {
        throw NativeError.last("ptrace(PTRACE_GETREGS, " + tid + ")");
      }
      return new Registers(regs.getLong(16 * 8), regs.getLong(19 * 8));
    }
  }

  /** The classic-BPF program of seccomp filter {@code index} (0 = newest), or null past the last. */
  static byte[] seccompFilter(int tid, int index) throws NativeError {
    long count = LibC.ptrace(LibC.PTRACE_SECCOMP_GET_FILTER, tid, index, 0L);
    if (count < 0) {
      NativeError e = NativeError.last("ptrace(PTRACE_SECCOMP_GET_FILTER, " + tid + ", " + index + ")");
      if (e.errno() == LibC.ENOENT) {
        return null;
      }
      throw e;
    }
    try (Memory prog = new Memory(count * 8)) {
      if (LibC.ptrace(LibC.PTRACE_SECCOMP_GET_FILTER, tid, index, prog) < 0) {
        throw NativeError.last("ptrace(PTRACE_SECCOMP_GET_FILTER, " + tid + ")");
      }
      return prog.getByteArray(0, (int) count * 8);
    }
  }

  /**
   * Waits for the next stop of {@code tid}, polling so that a deadline can be kept: a few
   * microseconds of spinning (a thread stops that fast when a CPU is free), then sleeps of 20 µs
   * doubling to 200 µs. Not more spinning or polling: on a busy machine the thread we wait for
   * needs the CPU to stop, and every poll is two system calls.
   */
  static Stop waitStop(int tid, long deadlineNanos) throws NativeError, EngineTimeout {
    int[] status = new int[1];
    long spinUntil = System.nanoTime() + 15_000;
    long sleep = 20_000;
    for (;;) {
      int r = LibC.waitpid(tid, status, LibC.WALL | LibC.WNOHANG);
      if (r == tid) {
        return new Stop(status[0]);
      }
      if (r < 0) {
        NativeError e = NativeError.last("waitpid(" + tid + ")");
        if (e.errno() == LibC.EINTR) {
          continue;
        }
        if (e.errno() == LibC.ECHILD) {
          return new Stop(0); // reaped or gone: reported as exited
        }
        throw e;
      }
      long now = System.nanoTime();
      if (now - deadlineNanos > 0) {
        throw new EngineTimeout("thread " + tid + " did not stop in time");
      }
      if (now - spinUntil < 0) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(sleep);
        sleep = Math.min(sleep * 2, 200_000);
      }
    }
  }

  /**
   * Runs the calling thread in the real-time class (SCHED_FIFO, the lowest priority) while it
   * holds threads of a target, so that no ordinary thread, the target's busy ones included, takes
   * its CPU between the moment it sees a thread stopped and the moment it lets it go: with the
   * ordinary scheduler, losing the CPU there cost a held thread a whole time slice (1 to 8 ms).
   * Best effort: without CAP_SYS_NICE, or in a cgroup without real-time time, it stays as it was.
   *
   * @return whether the class was changed, and so must be given back with {@link #ordinaryPriority()}
   */
  static boolean realtimePriority() {
    return LibC.sched_setscheduler(0, LibC.SCHED_FIFO, new int[] {1}) == 0;
  }

  /** Gives the calling thread back the ordinary scheduling class. */
  static void ordinaryPriority() {
    LibC.sched_setscheduler(0, LibC.SCHED_OTHER, new int[] {0});
  }

  /** Makes short sleeps of the calling thread short: the default 50 µs slack would dominate. */
  static void tightenTimerSlack() {
    LibC.prctl(LibC.PR_SET_TIMERSLACK, 1, 0, 0, 0);
  }
}
