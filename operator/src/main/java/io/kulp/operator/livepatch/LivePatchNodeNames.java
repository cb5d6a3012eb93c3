package io.kulp.operator.livepatch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Derives the names and label values of the LivePatchNodes of a LivePatch. The only place. */
public final class LivePatchNodeNames {

  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL_VALUE = 63;

  private LivePatchNodeNames() {}

  /**
   * "&lt;livepatch&gt;.&lt;node&gt;", both DNS subdomains; when that is longer than 253
   * characters, a prefix of it followed by a hash of the whole.
   */
  public static String objectName(String livePatch, String node) {
    String name = livePatch + "." + node;
    if (name.length() <= MAX_NAME) {
      return name;
    }
    String hash = sha256Hex(name).substring(0, 16);
    String prefix = name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("[.-]+$", "");
    return prefix + "-" + hash;
  }

  /** The value of a label holding {@code name}: the name itself, or a hash when too long. */
  public static String labelValue(String name) {
    if (name.length() <= MAX_LABEL_VALUE) {
      return name;
    }
    return "h" + sha256Hex(name).substring(0, 40);
  }

  static String sha256Hex(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
