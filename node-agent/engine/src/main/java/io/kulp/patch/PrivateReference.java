package io.kulp.patch;

import java.util.Objects;

/**
 * A patch pointer the runtime fills with the address of something private to the target.
 *
 * @param targetName the target's variable, for messages
 * @param patchName the container's pointer variable ({@code int *ref;}) or, for TLS, its
 *     {@code struct kulp_tls_ref}; looked up with dlsym
 * @param targetOffset for data, the variable's offset from the load base; for TLS, its offset
 *     within the library's TLS block
 * @param kind data or TLS
 */
public record PrivateReference(String targetName, String patchName, long targetOffset, ReferenceKind kind) {
  public PrivateReference {
    Objects.requireNonNull(targetName);
    Objects.requireNonNull(patchName);
    Objects.requireNonNull(kind);
  }
}
