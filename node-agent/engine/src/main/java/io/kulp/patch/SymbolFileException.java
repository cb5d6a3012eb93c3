package io.kulp.patch;

/** A symbol file that is not the JSON {@code ulp extract} writes. */
public class SymbolFileException extends PatchException {
  private static final long serialVersionUID = 1L;

  public SymbolFileException(String message) {
    super(message);
  }
}
