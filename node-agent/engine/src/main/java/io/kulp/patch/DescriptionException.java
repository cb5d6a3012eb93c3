package io.kulp.patch;

import java.nio.file.Path;

/** A problem at one line of a {@code .dsc} file; the message reads {@code FILE:LINE: problem}. */
public class DescriptionException extends PatchException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final int line;

  public DescriptionException(Path file, int line, String problem) {
    super(file + ":" + line + ": " + problem);
    this.file = file;
    this.line = line;
  }

  public Path file() {
    return file;
  }

  public int line() {
    return line;
  }
}
