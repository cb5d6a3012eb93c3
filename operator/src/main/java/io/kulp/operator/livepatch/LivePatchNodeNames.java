package io.kulp.operator.livepatch;

import io.kulp.api.Sha256;

/**
 * Derives the object names of the LivePatchNodes of a LivePatch. The only place. (Their label
 * values, which the agents select by, follow {@link io.kulp.api.LabelValues}.)
 */
public final class LivePatchNodeNames {

  private static final int MAX_NAME = 253;

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
    String hash = Sha256.ofText(name).substring(0, 16);
    String prefix = name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("[.-]+$", "");
    return prefix + "-" + hash;
  }
}
