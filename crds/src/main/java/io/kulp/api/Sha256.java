package io.kulp.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * How kulp writes a SHA-256 digest: 64 lowercase hexadecimal characters. It is the form of
 * {@code spec.patch.sha256} (the CRD checks it with {@link #HEX_REGEX}), of the agent's cache and
 * staged file names, and of the hashes in object names and label values.
 */
public final class Sha256 {

  /** Characters of a digest as text. */
  public static final int HEX_LENGTH = 64;

  /** A digest as text, without anchors (a compile-time constant, usable in CEL rules). */
  public static final String HEX_REGEX = "[0-9a-f]{" + HEX_LENGTH + "}";

  private static final Pattern HEX = Pattern.compile(HEX_REGEX);

  private Sha256() {}

  /** The digest of {@code bytes}. */
  public static String of(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The digest of {@code text} encoded as UTF-8. */
  public static String ofText(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** True when {@code text} is a digest in kulp's form (null is not). */
  public static boolean isHex(String text) {
    return text != null && HEX.matcher(text).matches();
  }
}
