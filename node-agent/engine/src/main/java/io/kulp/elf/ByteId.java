package io.kulp.elf;

import java.util.Arrays;
import java.util.HexFormat;

/** An identity made of a few bytes and shown as lowercase hex: a build-id, a patch id. Immutable. */
public abstract class ByteId {
  private final byte[] bytes;

  protected ByteId(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  public final byte[] bytes() {
    return bytes.clone();
  }

  public final int length() {
    return bytes.length;
  }

  public final String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((ByteId) o).bytes);
  }

  @Override
  public final int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public final String toString() {
    return hex();
  }
}
