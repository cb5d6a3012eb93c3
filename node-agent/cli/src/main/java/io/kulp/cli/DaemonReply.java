package io.kulp.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * The resident engine's answer to one {@code ulp-client}, as frames of a type byte, a 4-byte
 * little-endian length and the payload: 'a' the command was taken (from then on it runs whatever
 * happens to the client), 'o' and 'e' bytes of standard output and error, 'x' the exit status,
 * 'f' not taken: the client runs the command in a JVM of its own, 'r' the daemon leaves after
 * this command (see {@link #retiring()}). A client that has gone away
 * (killed, or its reader closed) does not stop the command: its output is dropped.
 */
final class DaemonReply {
  static final byte ACCEPTED = 'a';
  static final byte STDOUT = 'o';
  static final byte STDERR = 'e';
  static final byte EXIT = 'x';
  static final byte FALLBACK = 'f';
  static final byte RETIRING = 'r';

  private final WritableByteChannel channel;
  private boolean gone;

  DaemonReply(WritableByteChannel channel) {
    this.channel = channel;
  }

  /** Tells the client that the command runs here; false if the client has gone, and the command must not run. */
  synchronized boolean accepted() {
    frame(ACCEPTED, new byte[0], 0, 0);
    return !gone;
  }

  void fallback(String reason) {
    byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    frame(FALLBACK, text, 0, text.length);
  }

  /**
   * Tells the client that the daemon leaves after this command, and that the client should wait
   * for its end before it exits: the command gave up on a thread blocked in the kernel, which
   * holds its process traced until the daemon ends, as it would until a JVM of its own ended.
   */
  void retiring() {
    frame(RETIRING, new byte[0], 0, 0);
  }

  void exit(int code) {
    byte[] status = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(code).array();
    frame(EXIT, status, 0, 4);
  }

  /** A stream whose bytes reach the client as frames of {@code type} (STDOUT or STDERR). */
  OutputStream stream(byte type) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        if (len > 0) {
          frame(type, b, off, len);
        }
      }
    };
  }

  private synchronized void frame(byte type, byte[] payload, int off, int len) {
    if (gone) {
      return;
    }
    ByteBuffer header = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put(type).putInt(len).flip();
    ByteBuffer body = ByteBuffer.wrap(payload, off, len);
    try {
      while (header.hasRemaining()) {
        channel.write(header);
      }
      while (body.hasRemaining()) {
        channel.write(body);
      }
    } catch (IOException e) {
      gone = true; // the client went away; the command goes on
    }
  }
}
