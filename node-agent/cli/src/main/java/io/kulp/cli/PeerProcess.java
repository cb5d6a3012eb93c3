package io.kulp.cli;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * The process at the other end of a UNIX socket, from the kernel (SO_PEERCRED), never from what
 * that process says. The JDK's {@code SO_PEERCRED} option gives the user and group but not the
 * PID, so this asks the kernel through JNA, on the channel's descriptor (the launcher exports
 * {@code sun.nio.ch} to reach it). Any failure means "unknown": the daemon then runs nothing.
 */
final class PeerProcess {
  private static final int SOL_SOCKET = 1;
  private static final int SO_PEERCRED = 17;

  static {
    Native.register(PeerProcess.class, "c");
  }

  private PeerProcess() {}

  private static native int getsockopt(int fd, int level, int name, int[] value, int[] length);

  /** The PID of the process connected to {@code channel} (as of its connect()). */
  static long pid(SocketChannel channel) throws IOException {
    int fd;
    try {
      fd = (int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(channel);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot reach the socket's descriptor: " + e, e);
    }
    int[] ucred = new int[3]; // pid, uid, gid
    int[] length = {12};
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, length) != 0 || ucred[0] <= 0) {
      throw new IOException("SO_PEERCRED failed: errno " + Native.getLastError());
    }
    return ucred[0];
  }
}
