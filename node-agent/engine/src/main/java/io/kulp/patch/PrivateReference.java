package io.kulp.patch;

import java.util.Objects;

/**
 * A patch pointer the runtime fills with the address of something private to the target.
 *
 * @param targetName the target's variable, for messages
 * @param patchName the container's pointer variable ({@code int *ref;}) or, for TLS, its
 *     {@code struct kulp_tls_ref}
 * @param targetOffset for data (a variable or a function), the symbol's offset from the load
 *     base; for TLS, its offset within the library's TLS block
 * @param kind data or TLS
 * @param patchOffset where {@code patchName} is, from the container's load base, for a pointer
 *     the container does not export (a {@code static} one); {@link #BY_NAME} when the runtime
 *     finds it with dlsym. At most {@link #MAX_PATCH_OFFSET}: the format keeps 32 bits for it.
 */
public record PrivateReference(String targetName, String patchName, long targetOffset, ReferenceKind kind,
    long patchOffset) {
  /** {@link #patchOffset} of a pointer the container exports: the runtime looks it up with dlsym. */
  public static final long BY_NAME = 0;
  public static final long MAX_PATCH_OFFSET = 0xffff_ffffL;

  public PrivateReference {
    Objects.requireNonNull(targetName);
    Objects.requireNonNull(patchName);
    Objects.requireNonNull(kind);
    if (patchOffset < 0 || patchOffset > MAX_PATCH_OFFSET) {
      throw new IllegalArgumentException("patch offset 0x" + Long.toHexString(patchOffset) + " does not fit in 32 bits");
    }
  }

  /** A reference to a pointer the container exports. */
  public PrivateReference(String targetName, String patchName, long targetOffset, ReferenceKind kind) {
    this(targetName, patchName, targetOffset, kind, BY_NAME);
  }
}
