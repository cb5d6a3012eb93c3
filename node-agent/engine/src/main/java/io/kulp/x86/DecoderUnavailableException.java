package io.kulp.x86;

import java.io.IOException;

/** The x86 decoder (Capstone) cannot be loaded; the message names the package to install. */
public final class DecoderUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  public DecoderUnavailableException(String message) {
    super(message);
  }
}
