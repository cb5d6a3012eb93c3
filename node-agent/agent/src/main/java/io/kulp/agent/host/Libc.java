package io.kulp.agent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls and flags by which the agent writes and removes staged patches (x86-64 Linux);
 * errors surface as {@link LastErrorException} carrying errno. Opening and inspecting files goes
 * through the engine's binding, {@link io.kulp.host.FileSyscalls}, whose flags are not repeated
 * here.
 */
interface Libc extends Library {
  Libc C = Native.load("c", Libc.class);

  int O_WRONLY = 01;
  int O_CREAT = 0100;
  int O_EXCL = 0200;
  int EEXIST = 17;

  int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

  int fchmodat(int dirfd, String path, int mode, int flags) throws LastErrorException;

  int fchmod(int fd, int mode) throws LastErrorException;

  int unlinkat(int dirfd, String path, int flags) throws LastErrorException;

  int renameat(int olddirfd, String oldpath, int newdirfd, String newpath) throws LastErrorException;

  long readlinkat(int dirfd, String path, Pointer buf, long size) throws LastErrorException;

  long read(int fd, Pointer buf, long count) throws LastErrorException;

  long write(int fd, Pointer buf, long count) throws LastErrorException;

  int fsync(int fd) throws LastErrorException;
}
