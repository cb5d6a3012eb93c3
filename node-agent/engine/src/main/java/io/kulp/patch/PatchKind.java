package io.kulp.patch;

/** What a metadata section asks for, and the section of the container that holds it. */
public enum PatchKind {
  APPLY(1, ".ulp"),
  REVERT(2, ".ulp.rev");

  private final int code;
  private final String section;

  PatchKind(int code, String section) {
    this.code = code;
    this.section = section;
  }

  public int code() {
    return code;
  }

  public String section() {
    return section;
  }

  static PatchKind ofCode(int code) throws MetadataException {
    for (PatchKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new MetadataException("kind is " + code + ", expected 1 (apply) or 2 (revert)");
  }
}
