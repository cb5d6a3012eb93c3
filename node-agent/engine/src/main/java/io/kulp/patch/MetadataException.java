package io.kulp.patch;

/** A {@code .ulp} or {@code .ulp.rev} section that breaks docs/patch-format.md; names the first problem. */
public class MetadataException extends PatchException {
  private static final long serialVersionUID = 1L;

  public MetadataException(String message) {
    super(message);
  }
}
