package io.kulp.engine;

import com.sun.jna.Native;
import io.kulp.host.FileSyscalls;

/** A failed system call on a target, with errno, so callers can tell "gone" from "denied". */
final class NativeError extends Exception {
  private final int errno;

  NativeError(String what, int errno) {
    super(what + ": " + FileSyscalls.strerror(errno));
    this.errno = errno;
  }

  static NativeError last(String what) {
    return new NativeError(what, Native.getLastError());
  }

  int errno() {
    return errno;
  }

  boolean processGone() {
    return errno == LibC.ESRCH;
  }

  boolean denied() {
    return errno == LibC.EPERM || errno == LibC.EACCES;
  }
}
