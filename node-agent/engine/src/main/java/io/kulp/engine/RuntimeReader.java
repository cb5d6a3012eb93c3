package io.kulp.engine;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a runtime's applied patches and messages from memory, without stopping or signalling the
 * process: the patch table is read under its seqlock (retried while the runtime changes it), ring
 * slots are kept only when their seq is the one expected at their position.
 */
final class RuntimeReader {
  private RuntimeReader() {}

  static List<AppliedPatch> patches(TargetMemory memory, long abi, int pid) throws NativeError, EngineException {
    for (int attempt = 0; attempt < 100; attempt++) {
      long before = memory.read(abi + Abi.GENERATION_OFF, 8).getLong(0);
      if ((before & 1) != 0) {
        Thread.onSpinWait();
        continue;
      }
      RuntimeState s = RuntimeState.decode(memory.read(abi, Abi.HEADER_LEN));
      if (s.problem() != null) {
        throw EngineException.failed("process " + pid + ": " + s.problem());
      }
      ByteBuffer patches = memory.read(abi + Abi.PATCHES_OFF, Math.max(1, s.patches()) * Abi.PATCH_SIZE);
      ByteBuffer funcs = memory.read(abi + Abi.FUNCS_OFF, Math.max(1, s.funcs()) * Abi.FUNC_SIZE);
      long after = memory.read(abi + Abi.GENERATION_OFF, 8).getLong(0);
      if (after != before || s.generation() != before) {
        continue;
      }
      return decode(s, patches, funcs);
    }
    throw EngineException.failed("process " + pid + ": its patch table kept changing while being read; retry");
  }

  private static List<AppliedPatch> decode(RuntimeState s, ByteBuffer patches, ByteBuffer funcs) throws EngineException {
    List<AppliedPatch> out = new ArrayList<>();
    for (int p = 0; p < s.patches(); p++) {
      int o = p * Abi.PATCH_SIZE;
      byte[] id = new byte[Abi.ID_LEN];
      patches.get(o + Abi.PATCH_ID, id);
      int first = patches.getInt(o + Abi.PATCH_FIRST_FUNC);
      int n = patches.getInt(o + Abi.PATCH_N_FUNCS);
      if (first < 0 || n < 0 || (long) first + n > s.funcs()) {
        throw EngineException.failed("the runtime's patch table is inconsistent: memory is corrupt");
      }
      long ns = patches.getLong(o + Abi.PATCH_APPLIED_NS);
      String labels = Response.cString(patches, o + Abi.PATCH_LABELS, Abi.PATCH_SIZE - Abi.PATCH_LABELS);
      List<AppliedPatch.Function> fs = new ArrayList<>();
      for (int f = first; f < first + n; f++) {
        int fo = f * Abi.FUNC_SIZE;
        fs.add(new AppliedPatch.Function(Response.cString(funcs, fo + Abi.FUNC_OLD_NAME, Abi.NAME_MAX),
            Response.cString(funcs, fo + Abi.FUNC_NEW_NAME, Abi.NAME_MAX), funcs.getLong(fo + Abi.FUNC_OLD_ADDR),
            funcs.getLong(fo + Abi.FUNC_NEW_ADDR), funcs.getInt(fo + Abi.FUNC_ACTIVE) != 0));
      }
      out.add(new AppliedPatch(hex(id), Response.cString(patches, o + Abi.PATCH_LIBRARY, Abi.NAME_MAX),
          Response.cString(patches, o + Abi.PATCH_PATH, Abi.PATH_MAX),
          Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L),
          labels.isEmpty() ? List.of() : Arrays.asList(labels.split("\n")), fs));
    }
    return out;
  }

  static List<RuntimeMessage> messages(TargetMemory memory, long abi) throws NativeError {
    long head = memory.read(abi + Abi.MESSAGE_HEAD_OFF, 8).getLong(0);
    return messages(head, memory.read(abi + Abi.RING_OFF, Abi.RING_SIZE * Abi.MSG_SIZE));
  }

  /**
   * The messages of {@code ring} up to sequence number {@code head}, the last one written. The
   * head comes from the target like the ring, so any value is expected: below 1 means none, and
   * at most the ring's size of sequence numbers are visited, counted up from 1 or from the head
   * less that size (neither of which can overflow), so a head near {@code Long.MAX_VALUE} cannot
   * wrap around into negative slots.
   */
  static List<RuntimeMessage> messages(long head, ByteBuffer ring) {
    List<RuntimeMessage> out = new ArrayList<>();
    long first = Math.max(1, head - (Abi.RING_SIZE - 1));
    for (long count = head < 1 ? 0 : head - first + 1, i = 0; i < count; i++) {
      long seq = first + i;
      int o = (int) ((seq - 1) % Abi.RING_SIZE) * Abi.MSG_SIZE;
      if (ring.getLong(o + Abi.MSG_SEQ) != seq) {
        continue; // overwritten or being written
      }
      long ns = ring.getLong(o + Abi.MSG_TIME);
      int level = ring.getInt(o + Abi.MSG_LEVEL);
      out.add(new RuntimeMessage(seq, Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L),
          level == Abi.LEVEL_ERROR ? "error" : level == Abi.LEVEL_WARN ? "warning" : "info",
          Response.cString(ring, o + Abi.MSG_TEXT, Abi.MESSAGE_MAX)));
    }
    return out;
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return sb.toString();
  }
}
