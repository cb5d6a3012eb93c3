package io.kulp.engine;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Memory of a target process. Reads and data writes go through process_vm_readv/writev, which
 * need no stop and respect the target's page protections; code writes go through
 * {@code /proc/PID/mem}, which may write read-only code pages (the kernel copies them on write)
 * and is used only while every thread of the target is stopped. Both require ptrace-attach
 * permission, like the rest of the engine.
 */
final class ProcessMemory implements TargetMemory, AutoCloseable {
  private final int pid;
  private final Path procRoot;
  private final Memory iov = new Memory(32);
  private Memory buffer = new Memory(4096);
  private FileChannel mem;

  ProcessMemory(int pid, Path procRoot) {
    this.pid = pid;
    this.procRoot = procRoot;
  }

  int pid() {
    return pid;
  }

  private Memory buffer(int len) {
    if (buffer.size() < len) {
      buffer.close();
      buffer = new Memory(Math.max(len, buffer.size() * 2));
    }
    return buffer;
  }

  /** Reads {@code len} bytes at {@code addr} into a little-endian buffer. */
  @Override
  public ByteBuffer read(long addr, int len) throws NativeError {
    Memory local = buffer(len);
    iov.setPointer(0, local);
    iov.setLong(8, len);
    iov.setLong(16, addr);
    iov.setLong(24, len);
    long n = LibC.process_vm_readv(pid, iov, 1, iov.share(16), 1, 0);
    if (n < 0) {
      throw NativeError.last("process_vm_readv(" + pid + ", " + Long.toHexString(addr) + ")");
    }
    if (n != len) {
      throw new NativeError("process_vm_readv(" + pid + ", " + Long.toHexString(addr) + ") short read", LibC.EIO);
    }
    return ByteBuffer.wrap(local.getByteArray(0, len)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Writes to writable memory of the target (its data, never its code). */
  void write(long addr, byte[] data) throws NativeError {
    Memory local = buffer(data.length);
    local.write(0, data, 0, data.length);
    iov.setPointer(0, local);
    iov.setLong(8, data.length);
    iov.setLong(16, addr);
    iov.setLong(24, data.length);
    long n = LibC.process_vm_writev(pid, iov, 1, iov.share(16), 1, 0);
    if (n != data.length) {
      throw n < 0 ? NativeError.last("process_vm_writev(" + pid + ", " + Long.toHexString(addr) + ")")
          : new NativeError("process_vm_writev(" + pid + ") short write", LibC.EIO);
    }
  }

  /** Writes code bytes. Only with every thread of the target stopped. */
  void writeCode(long addr, byte[] data) throws IOException {
    if (mem == null) {
      mem = FileChannel.open(procRoot.resolve(pid + "/mem"), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) {
      mem.write(b, addr + b.position());
    }
  }

  @Override
  public void close() {
    iov.close();
    buffer.close();
    if (mem != null) {
      try {
        mem.close();
      } catch (IOException ignored) {
        // nothing was buffered
      }
    }
  }
}
