package io.kulp.agent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls and flags of the agent's access to container files (x86-64 Linux); errors surface
 * as {@link LastErrorException} carrying errno.
 */
interface Libc extends Library {
  Libc C = Native.load("c", Libc.class);

  int O_RDONLY = 0;
  int O_WRONLY = 01;
  int O_CREAT = 0100;
  int O_EXCL = 0200;
  int O_DIRECTORY = 0200000;
  int O_NOFOLLOW = 0400000;
  int O_CLOEXEC = 02000000;
  int O_PATH = 010000000;
  long RESOLVE_NO_MAGICLINKS = 0x02;
  long RESOLVE_NO_SYMLINKS = 0x04;
  long RESOLVE_BENEATH = 0x08;
  /** One name inside a directory the agent holds open: no link, no magic link, no way out. */
  long RESOLVE_ONE_NAME = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long SYS_OPENAT2 = 437;
  long SYS_FSTAT = 5;
  int ENOENT = 2;
  int EEXIST = 17;
  int ENOTDIR = 20;
  int ELOOP = 40;

  long syscall(long number, Object... args) throws LastErrorException;

  int open(String path, int flags) throws LastErrorException;

  int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

  int fchmodat(int dirfd, String path, int mode, int flags) throws LastErrorException;

  int fchmod(int fd, int mode) throws LastErrorException;

  int unlinkat(int dirfd, String path, int flags) throws LastErrorException;

  int renameat(int olddirfd, String oldpath, int newdirfd, String newpath) throws LastErrorException;

  long readlinkat(int dirfd, String path, Pointer buf, long size) throws LastErrorException;

  int fstatfs(int fd, Pointer buf) throws LastErrorException;

  long read(int fd, Pointer buf, long count) throws LastErrorException;

  long write(int fd, Pointer buf, long count) throws LastErrorException;

  int fsync(int fd) throws LastErrorException;

  int close(int fd);
}
