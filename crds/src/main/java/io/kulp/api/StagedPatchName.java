package io.kulp.api;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name under which the node agent stages a patch file inside a target container:
 * {@code kulp-<sha256>.so}, in one of the staging directories
 * ({@link KulpConstants#ENV_STAGING_DIRS}). The name is derived from the patch's digest alone, so
 * that the agent finds its files again after a restart (to revert a patch whose source is gone,
 * and to remove staged files no process uses), and parsing it back takes no other file for one.
 */
public final class StagedPatchName {

  private static final String PREFIX = "kulp-";
  private static final String SUFFIX = ".so";
  private static final Pattern NAME =
      Pattern.compile(Pattern.quote(PREFIX) + "(" + Sha256.HEX_REGEX + ")" + Pattern.quote(SUFFIX));

  private StagedPatchName() {}

  /**
   * The file name of the patch with this digest.
   *
   * @throws IllegalArgumentException when {@code sha256} is not 64 lowercase hex characters (the
   *     CRD admits no other {@code spec.patch.sha256})
   */
  public static String of(String sha256) {
    if (!Sha256.isHex(sha256)) {
      throw new IllegalArgumentException("not a sha256 digest: " + sha256);
    }
    return PREFIX + sha256 + SUFFIX;
  }

  /** The digest of a file named by {@link #of}; empty for any other file name. */
  public static Optional<String> sha256Of(String fileName) {
    Matcher m = NAME.matcher(fileName);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
