package io.kulp.api;

/**
 * The value of a kulp label that holds an object name ({@link KulpConstants#LABEL_NODE},
 * {@link KulpConstants#LABEL_LIVEPATCH}). The operator writes it; the agent selects its
 * LivePatchNodes with the same value, so both must compute it here.
 *
 * <p>A node name can be a DNS subdomain of 253 characters, a label value at most 63. A name that
 * fits is its own value; a longer one becomes "h" and the first 40 hex digits of its SHA-256 (a
 * hash is not reversible: readers of such a label also compare {@code spec.nodeName}).
 */
public final class LabelValues {

  /** The longest label value Kubernetes accepts. */
  public static final int MAX_LENGTH = 63;

  /** Hex digits of the SHA-256 kept in the value of a name too long to be one. */
  static final int HASH_DIGITS = 40;

  private LabelValues() {}

  /** The label value for {@code name}: the name itself, or "h" and a hash of it when too long. */
  public static String of(String name) {
    if (name.length() <= MAX_LENGTH) {
      return name;
    }
    return "h" + Sha256.ofText(name).substring(0, HASH_DIGITS);
  }
}
