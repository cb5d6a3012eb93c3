package io.kulp.engine;

import com.sun.jna.Native;
import com.sun.jna.Structure;
import io.kulp.host.TimeLimit;
import java.util.Arrays;

/**
 * The quiescence check's loop over the running threads, in C ({@code runtime-c/engine/kulp_hold.c},
 * {@code libkulp-hold.so}, in this module's jar under {@code linux-x86-64/}, where JNA finds it).
 *
 * <p>Why not Java: a Java thread pauses at every JVM safepoint, and one that falls between a
 * thread's stop and its release holds that thread as long: the benchmark's own garbage collections
 * held one for 12 ms (docs/benchmarks.md, "Letting a thread go before seizing the next"). A thread
 * inside a native call is not waited for by a safepoint, so the whole hold is one call.
 */
final class HoldLoop {
  static {
    Native.register("kulp-hold");
  }

  private HoldLoop() {}

  /** Which call failed: {@code enum kulp_hold_step} of kulp_hold.h. */
  static final int SEIZE = 1;
  static final int INTERRUPT = 2;
  static final int WAIT = 3;
  static final int REGS = 4;
  static final int DEADLINE = 5;
  static final int MEMORY = 6;

  /** {@code struct kulp_hold_result} of kulp_hold.h. */
  @Structure.FieldOrder({"foundPc", "longestNs", "foundTid", "failedTid", "failedStep", "error", "refused",
      "stragglers"})
  public static final class Result extends Structure {
    public long foundPc;
    public long longestNs;
    public int foundTid;
    public int failedTid;
    public int failedStep;
    public int error;
    public int refused;
    public int stragglers;
  }

  /**
   * What {@link #check} found: a thread at one of the addresses (0 if none), the longest hold, the
   * threads whose seize was refused (EPERM: exiting, or traced by another), a failure, and how
   * many threads never stopped.
   */
  record Outcome(int foundTid, long foundPc, long longestNanos, int[] refused, int failedStep,
      int failedTid, int errno, int stragglers) {
    boolean failed() {
      return failedStep != 0;
    }

    /** The failed call as the engine's other errors name them. */
    String failure() {
      String call = switch (failedStep) {
        case SEIZE -> "ptrace(PTRACE_SEIZE, " + failedTid + ")";
        case INTERRUPT -> "ptrace(PTRACE_INTERRUPT, " + failedTid + ")";
        case WAIT -> "waitpid(" + failedTid + ")";
        case REGS -> "ptrace(PTRACE_GETREGS, " + failedTid + ")";
        case MEMORY -> "malloc";
        default -> "step " + failedStep + " on thread " + failedTid;
      };
      return new NativeError(call, errno).getMessage();
    }
  }

  /**
   * Seizes, interrupts, reads and lets go each of the running threads {@code tids}, as
   * {@code kulp_hold_check} describes; every thread that stopped is let go whatever happens, by
   * {@code deadline} ({@link System#nanoTime()}) at the latest. A thread that never stopped
   * (blocked in the kernel) cannot be let go and would stop for good once it leaves the kernel:
   * only the end of the calling thread releases it, so the calling thread is retired
   * ({@link TimeLimit#retireThisThread}).
   */
  static Outcome check(int[] tids, long[] addrs, boolean[] int3Before, long deadline) {
    byte[] int3 = new byte[addrs.length];
    for (int i = 0; i < int3.length; i++) {
      int3[i] = (byte) (int3Before[i] ? 1 : 0);
    }
    int[] refused = new int[tids.length];
    Result r = new Result();
    kulp_hold_check(tids, tids.length, addrs, int3, addrs.length, deadline, refused, r);
    r.read();
    if (r.stragglers > 0) {
      TimeLimit.retireThisThread();
    }
    return new Outcome(r.foundTid, r.foundPc, r.longestNs, Arrays.copyOf(refused, r.refused), r.failedStep,
        r.failedTid, r.error, r.stragglers);
  }

  private static native int kulp_hold_check(int[] tids, int count, long[] addrs, byte[] int3Before, int naddrs,
      long deadlineNs, int[] refused, Result out);
}
