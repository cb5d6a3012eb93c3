package io.kulp.packer;

import io.kulp.patch.PatchException;
import java.nio.file.Path;

/** Packing cannot go on; the message names the cause and the fix. */
public class PackerException extends PatchException {
  private static final long serialVersionUID = 1L;

  public PackerException(String message) {
    super(message);
  }

  public PackerException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A problem tied to one line of the description, reported as {@code FILE:LINE: problem}. */
  static PackerException at(Path description, int line, String problem) {
    return new PackerException(description + ":" + line + ": " + problem);
  }
}
