package io.kulp.engine;

import java.nio.ByteBuffer;

/**
 * Reads of a target's memory, as the decoders of the runtime's structures ({@link RuntimeState},
 * {@link RuntimeReader}, {@link Response}) need them. The target owns that memory, so they trust
 * none of what they read; tests and fuzzers give them any bytes through this interface.
 */
interface TargetMemory {
  /** {@code len} bytes at {@code addr}, in a little-endian buffer of exactly that size. */
  ByteBuffer read(long addr, int len) throws NativeError;
}
