package io.kulp.patch;

/**
 * A problem with a patch, its description or its metadata that the user can fix; the message
 * names the cause and, where there is one, the fix.
 */
public class PatchException extends Exception {
  private static final long serialVersionUID = 1L;

  public PatchException(String message) {
    super(message);
  }

  public PatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
