package io.kulp.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, per process, whether the runtime may write code itself (fast, no thread stopped) or
 * must leave the writes to the engine (every thread stopped). The runtime writes code with
 * mprotect(PROT_READ|PROT_WRITE|PROT_EXEC), then mprotect back, then membarrier; a process with
 * a seccomp filter (every container has one) gets the fast path only if the filter, evaluated
 * here, allows those calls. The filter is read with PTRACE_SECCOMP_GET_FILTER, which needs
 * CAP_SYS_ADMIN; without it the runtime tries the calls in a throwaway child first. The runtime itself also refuses
 * when the process set PR_SET_MDWE, and falls back when mprotect fails for any other reason.
 */
final class WritePolicy {
  private static final int SYS_MPROTECT = 10;
  private static final int SYS_PRCTL = 157;
  private static final int SYS_MEMBARRIER = 324;
  private static final int[] DLOPEN_CALLS = {0 /* read */, 3 /* close */, 5 /* fstat */, 9 /* mmap */,
      10 /* mprotect */, 11 /* munmap */, 17 /* pread64 */, 257 /* openat */, 262 /* newfstatat */};
  private static final int PROT_RX = 0x5;
  private static final int PROT_RWX = 0x7;

  /** What to tell the runtime; throws if even loading a patch would get the process killed. */
  static int flags(TargetProcess target, int helperTid) throws EngineException {
    int seccompMode = seccompMode(target, helperTid);
    if (seccompMode == 0) {
      return Request.FLAG_SELF_WRITE;
    }
    if (seccompMode == 1) {
      throw EngineException.failed("process " + target.pid + " runs in strict seccomp mode; kulp cannot patch it");
    }
    List<SeccompProgram> filters = new ArrayList<>();
    try {
      for (int i = 0;; i++) {
        byte[] raw = Ptrace.seccompFilter(helperTid, i);
        if (raw == null) {
          break;
        }
        filters.add(new SeccompProgram(raw));
      }
    } catch (NativeError e) {
      // Cannot read the filter (no CAP_SYS_ADMIN, as in the node agent): the runtime asks it in a
      // throwaway child, which the filter may kill instead of the process (runtime-c/src/probe.c);
      // if it refuses, the engine writes the code.
      return Request.FLAG_PROBE_WRITE;
    }
    for (int nr : DLOPEN_CALLS) {
      if (SeccompProgram.severity(action(filters, nr, 0, 4096, PROT_RX)) <= 2) {
        throw EngineException.failed("process " + target.pid + ": its seccomp filter would kill it for system call "
            + nr + ", which loading a patch needs; kulp cannot patch it");
      }
    }
    boolean allowed = SeccompProgram.severity(action(filters, SYS_MPROTECT, 0, 4096, PROT_RWX)) == 7
        && SeccompProgram.severity(action(filters, SYS_MPROTECT, 0, 4096, PROT_RX)) == 7
        && SeccompProgram.severity(action(filters, SYS_MEMBARRIER, 0, 0, 0)) == 7
        && SeccompProgram.severity(action(filters, SYS_PRCTL, 66 /* PR_GET_MDWE */, 0, 0)) == 7;
    return allowed ? Request.FLAG_SELF_WRITE : 0;
  }

  private static int action(List<SeccompProgram> filters, int nr, long a0, long a1, long a2) {
    int worst = SeccompProgram.RET_ALLOW;
    for (SeccompProgram f : filters) {
      int action = f.evaluate(nr, 0, a0, a1, a2, 0, 0, 0);
      if (SeccompProgram.severity(action) < SeccompProgram.severity(worst)) {
        worst = action;
      }
    }
    return worst;
  }

  private static int seccompMode(TargetProcess target, int helperTid) throws EngineException {
    try {
      for (String line : Files.readAllLines(target.procPid.resolve("task/" + helperTid + "/status"))) {
        if (line.startsWith("Seccomp:")) {
          return Integer.parseInt(line.substring(8).trim());
        }
      }
      return 0;
    } catch (IOException | NumberFormatException e) {
      throw EngineException.failed("cannot read the status of process " + target.pid + ": " + e.getMessage());
    }
  }
}
