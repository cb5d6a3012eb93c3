package io.kulp.elf;

import java.util.Arrays;
import java.util.HexFormat;

/** A GNU build-id (the descriptor of an NT_GNU_BUILD_ID note): 1 to 64 bytes, usually 20 (SHA-1). */
public final class BuildId {
  public static final int MAX_LENGTH = 64;
  private final byte[] bytes;

  private BuildId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static BuildId of(byte[] bytes) {
    if (bytes.length < 1 || bytes.length > MAX_LENGTH) {
      throw new IllegalArgumentException("a build-id has 1 to " + MAX_LENGTH + " bytes, not " + bytes.length);
    }
    return new BuildId(bytes.clone());
  }

  /** Parses lowercase or uppercase hex, as printed by {@code readelf -n} and {@link #hex()}. */
  public static BuildId ofHex(String hex) {
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException("build-id hex has an odd number of digits: " + hex);
    }
    return of(HexFormat.of().parseHex(hex));
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BuildId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
