package io.kulp.patch;

/** Whether a private reference names ordinary data ({@code #a:b}) or a TLS variable ({@code #%a:b}). */
public enum ReferenceKind {
  DATA(1),
  TLS(2);

  private final int code;

  ReferenceKind(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  static ReferenceKind ofCode(int code) throws MetadataException {
    for (ReferenceKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new MetadataException("reference kind is " + code + ", expected 1 (data) or 2 (TLS)");
  }
}
