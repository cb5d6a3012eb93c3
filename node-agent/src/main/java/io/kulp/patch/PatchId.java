package io.kulp.patch;

import io.kulp.elf.BuildId;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 16-byte identity of a patch: the first 16 bytes of SHA-256(container build-id ‖
 * description bytes), so packing the same container from the same description always gives
 * the same id.
 */
public final class PatchId {
  public static final int LENGTH = 16;
  private final byte[] bytes;

  private PatchId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static PatchId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a patch id has " + LENGTH + " bytes, not " + bytes.length);
    }
    return new PatchId(bytes.clone());
  }

  public static PatchId ofHex(String hex) {
    return of(HexFormat.of().parseHex(hex));
  }

  public static PatchId derive(BuildId container, byte[] description) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(container.bytes());
      sha.update(description);
      return new PatchId(Arrays.copyOf(sha.digest(), LENGTH));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PatchId other && Arrays.equals(bytes, other.bytes);
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
