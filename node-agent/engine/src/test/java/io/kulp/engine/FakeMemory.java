package io.kulp.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A target's kulp_abi as plain bytes at address {@link #ABI}, for the decoders of the runtime's
 * structures: it starts as a runtime that is ready with nothing applied, and tests (or fuzzers)
 * write whatever they like into it. Reads outside it fail as process_vm_readv does (EIO).
 */
final class FakeMemory implements TargetMemory {
  static final long ABI = 0x7f00_0000_0000L;

  final ByteBuffer bytes = ByteBuffer.allocate(Abi.ABI_SIZE).order(ByteOrder.LITTLE_ENDIAN);

  FakeMemory() {
    bytes.putInt(Abi.MAGIC_OFF, Abi.MAGIC).putInt(Abi.VERSION_OFF, Abi.VERSION).putInt(Abi.SIZE_OFF, Abi.ABI_SIZE)
        .putInt(Abi.STATE_OFF, Abi.STATE_READY);
  }

  @Override
  public ByteBuffer read(long addr, int len) throws NativeError {
    long rel = addr - ABI;
    if (len < 0 || rel < 0 || rel > Abi.ABI_SIZE - (long) len) {
      throw new NativeError("process_vm_readv(fake, " + Long.toHexString(addr) + ") short read", LibC.EIO);
    }
    byte[] out = new byte[len];
    bytes.get((int) rel, out);
    return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Message slot {@code seq} of the ring as the runtime writes it. */
  FakeMemory message(long seq, int level, String text) {
    int o = Abi.RING_OFF + (int) Long.remainderUnsigned(seq - 1, Abi.RING_SIZE) * Abi.MSG_SIZE;
    bytes.putLong(o + Abi.MSG_SEQ, seq).putLong(o + Abi.MSG_TIME, 1_700_000_000_000_000_000L)
        .putInt(o + Abi.MSG_LEVEL, level).put(o + Abi.MSG_TEXT, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return this;
  }

  FakeMemory head(long head) {
    bytes.putLong(Abi.MESSAGE_HEAD_OFF, head);
    return this;
  }
}
