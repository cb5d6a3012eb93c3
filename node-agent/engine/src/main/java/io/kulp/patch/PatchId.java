package io.kulp.patch;

import io.kulp.elf.BuildId;
import io.kulp.elf.ByteId;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 16-byte identity of a patch: the first 16 bytes of SHA-256(container build-id ‖
 * description bytes), so packing the same container from the same description always gives
 * the same id.
 */
public final class PatchId extends ByteId {
  public static final int LENGTH = 16;

  private PatchId(byte[] bytes) {
    super(bytes);
  }

  public static PatchId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a patch id has " + LENGTH + " bytes, not " + bytes.length);
    }
    return new PatchId(bytes);
  }

  /** Parses the 32 hex digits {@link #hex()} prints. */
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
}
