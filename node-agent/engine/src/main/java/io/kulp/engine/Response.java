package io.kulp.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The runtime's answer (struct kulp_response). */
record Response(int seq, int phase, int status, String message, long[] checks, List<CodeWrite> writes,
    List<long[]> forbidden, long appliedPatches) {
  static final int IDLE = 0;
  static final int WORKING = 1;
  static final int COMMITTING = 2;
  static final int DONE = 3;
  static final int NEED_CHECK = 4;
  static final int NEED_WRITES = 5;
  /** The consistency check: planned, nothing written; checks[] holds the code it stops calling. */
  static final int PLANNED = 6;

  /** A code write the runtime asks the engine to make (struct kulp_write). */
  record CodeWrite(long addr, byte[] bytes, byte[] expect, boolean live) {}

  RuntimeError error() {
    return RuntimeError.of(status);
  }

  /** Reads a settled response: the header, then what its phase needs. */
  static Response read(TargetMemory mem, long abi) throws NativeError, EngineException {
    long base = abi + Abi.RESPONSE_OFF;
    ByteBuffer h = mem.read(base, Abi.RESP_CHECKS);
    int seq = h.getInt(Abi.RESP_SEQ);
    int phase = h.getInt(Abi.RESP_PHASE);
    int status = h.getInt(Abi.RESP_STATUS);
    int nChecks = h.getInt(Abi.RESP_N_CHECKS);
    int nWrites = h.getInt(Abi.RESP_N_WRITES);
    int nForbidden = h.getInt(Abi.RESP_N_FORBIDDEN);
    long applied = h.getLong(Abi.RESP_APPLIED);
    if (nChecks < 0 || nChecks > Abi.MAX_CHECKS || nWrites < 0 || nWrites > Abi.MAX_WRITES || nForbidden < 0
        || nForbidden > Abi.MAX_WRITES) {
      throw EngineException.failed("the runtime's response has counts out of range: memory is corrupt");
    }
    String message = cString(mem.read(base + Abi.RESP_MESSAGE, Abi.MESSAGE_MAX), 0, Abi.MESSAGE_MAX);
    long[] checks = new long[phase == NEED_CHECK || phase == PLANNED ? nChecks : 0];
    if (checks.length > 0) {
      ByteBuffer c = mem.read(base + Abi.RESP_CHECKS, checks.length * 8);
      for (int i = 0; i < checks.length; i++) {
        checks[i] = c.getLong(i * 8);
      }
    }
    List<CodeWrite> writes = new ArrayList<>();
    List<long[]> forbidden = new ArrayList<>();
    if (phase == NEED_WRITES) {
      if (nWrites > 0) {
        ByteBuffer w = mem.read(base + Abi.RESP_WRITES, nWrites * Abi.WRITE_SIZE);
        for (int i = 0; i < nWrites; i++) {
          int o = i * Abi.WRITE_SIZE;
          int len = w.getInt(o + Abi.WRITE_LEN);
          if (len < 1 || len > Abi.WRITE_MAX_LEN) {
            throw EngineException.failed("the runtime asked for a write of " + len + " bytes: memory is corrupt");
          }
          byte[] bytes = new byte[len];
          byte[] expect = new byte[len];
          w.get(o + Abi.WRITE_BYTES, bytes);
          w.get(o + Abi.WRITE_EXPECT, expect);
          writes.add(new CodeWrite(w.getLong(o + Abi.WRITE_ADDR), bytes, expect, w.getInt(o + Abi.WRITE_LIVE) != 0));
        }
      }
      if (nForbidden > 0) {
        ByteBuffer f = mem.read(base + Abi.RESP_FORBIDDEN, nForbidden * Abi.RANGE_SIZE);
        for (int i = 0; i < nForbidden; i++) {
          int o = i * Abi.RANGE_SIZE;
          forbidden.add(new long[] {f.getLong(o + Abi.RANGE_START), f.getLong(o + Abi.RANGE_END)});
        }
      }
    }
    return new Response(seq, phase, status, message, checks, writes, forbidden, applied);
  }

  static String cString(ByteBuffer b, int offset, int max) {
    int end = offset;
    while (end < offset + max && b.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - offset];
    b.get(offset, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
