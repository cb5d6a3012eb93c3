package io.kulp.elf;

import java.util.HexFormat;

/** A GNU build-id (the descriptor of an NT_GNU_BUILD_ID note): 1 to 64 bytes, usually 20 (SHA-1). */
public final class BuildId extends ByteId {
  public static final int MAX_LENGTH = 64;

  private BuildId(byte[] bytes) {
    super(bytes);
  }

  public static BuildId of(byte[] bytes) {
    if (bytes.length < 1 || bytes.length > MAX_LENGTH) {
      throw new IllegalArgumentException("a build-id has 1 to " + MAX_LENGTH + " bytes, not " + bytes.length);
    }
    return new BuildId(bytes);
  }

  /** Parses lowercase or uppercase hex, as printed by {@code readelf -n} and {@link #hex()}. */
  public static BuildId ofHex(String hex) {
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException("build-id hex has an odd number of digits: " + hex);
    }
    return of(HexFormat.of().parseHex(hex));
  }
}
