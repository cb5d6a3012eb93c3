package io.kulp.elf;

import java.io.IOException;

/** A file that is not a well-formed ELF64 little-endian x86-64 object, naming the first problem found. */
public class ElfException extends IOException {
  private static final long serialVersionUID = 1L;

  public ElfException(String message) {
    super(message);
  }
}
