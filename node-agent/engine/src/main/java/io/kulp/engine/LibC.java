package io.kulp.engine;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the engine needs, bound with JNA direct mapping (no proxy, no reflection
 * per call: a call costs about as much as a JNI call). Errors come back as -1 with the cause in
 * {@link Native#getLastError()}, read right after the call on the same thread.
 */
final class LibC {
  static {
    Native.register("c");
  }

  private LibC() {}

  // ptrace requests and options (linux/ptrace.h); ptrace(2) takes four words on x86-64.
  static final int PTRACE_CONT = 7;
  static final int PTRACE_GETREGS = 12;
  static final int PTRACE_DETACH = 17;
  static final int PTRACE_GETEVENTMSG = 0x4201;
  static final int PTRACE_SEIZE = 0x4206;
  static final int PTRACE_INTERRUPT = 0x4207;
  static final int PTRACE_SECCOMP_GET_FILTER = 0x420c;
  static final int PTRACE_O_TRACECLONE = 0x8;
  static final int PTRACE_EVENT_CLONE = 3;
  static final int PTRACE_EVENT_STOP = 128;

  static final int WNOHANG = 1;
  static final int WALL = 0x40000000;

  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int EACCES = 13;
  static final int EPERM = 1;
  static final int ECHILD = 10;
  static final int ENOENT = 2;

  static final int PR_SET_TIMERSLACK = 29;

  static native long ptrace(long request, int pid, long addr, long data);

  static native long ptrace(long request, int pid, long addr, Pointer data);

  static native int waitpid(int pid, int[] status, int options);

  static native long process_vm_readv(int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt, long flags);

  static native long process_vm_writev(int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt, long flags);

  static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);

  static final int SCHED_OTHER = 0;
  static final int SCHED_FIFO = 1;

  /** {@code sched_setscheduler(2)}; pid 0 is the calling thread; param points to one int (the priority). */
  static native int sched_setscheduler(int pid, int policy, int[] param);
}
