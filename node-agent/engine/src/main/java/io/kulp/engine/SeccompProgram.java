package io.kulp.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A seccomp filter (classic BPF) and an interpreter for it, to learn what the kernel would do
 * with a system call before the runtime makes it: kulp must never make a call that a filter
 * answers by killing the process.
 */
final class SeccompProgram {
  static final int AUDIT_ARCH_X86_64 = 0xc000003e;

  // Actions, most restrictive first (seccomp(2)).
  static final int RET_KILL_PROCESS = 0x80000000;
  static final int RET_KILL_THREAD = 0x00000000;
  static final int RET_TRAP = 0x00030000;
  static final int RET_ERRNO = 0x00050000;
  static final int RET_USER_NOTIF = 0x7fc00000;
  static final int RET_TRACE = 0x7ff00000;
  static final int RET_LOG = 0x7ffc0000;
  static final int RET_ALLOW = 0x7fff0000;

  private static final int MAX_STEPS = 1 << 16;

  private final short[] code;
  private final byte[] jt;
  private final byte[] jf;
  private final int[] k;

  SeccompProgram(byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int n = raw.length / 8;
    code = new short[n];
    jt = new byte[n];
    jf = new byte[n];
    k = new int[n];
    for (int i = 0; i < n; i++) {
      code[i] = b.getShort(i * 8);
      jt[i] = b.get(i * 8 + 2);
      jf[i] = b.get(i * 8 + 3);
      k[i] = b.getInt(i * 8 + 4);
    }
  }

  /** The full action (with data) for a system call, as struct seccomp_data would present it. */
  int evaluate(int nr, long ip, long... args) {
    ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    data.putInt(0, nr).putInt(4, AUDIT_ARCH_X86_64).putLong(8, ip);
    for (int i = 0; i < args.length && i < 6; i++) {
      data.putLong(16 + 8 * i, args[i]);
    }
    int a = 0;
    int x = 0;
    int[] mem = new int[16];
    int pc = 0;
    for (int steps = 0; steps < MAX_STEPS && pc < code.length; steps++) {
      int c = code[pc] & 0xffff;
      int kk = k[pc];
      switch (c & 0x07) {
        case 0x00 -> { // LD
          a = switch (c & 0xe0) {
            case 0x20 -> kk >= 0 && kk + 4 <= 64 ? data.getInt(kk) : 0; // ABS
            case 0x00 -> kk; // IMM
            case 0x60 -> mem[kk & 15]; // MEM
            case 0x80 -> 64; // LEN
            default -> 0;
          };
          pc++;
        }
        case 0x01 -> { // LDX
          x = switch (c & 0xe0) {
            case 0x00 -> kk;
            case 0x60 -> mem[kk & 15];
            case 0x80 -> 64;
            default -> 0;
          };
          pc++;
        }
        case 0x02 -> { mem[kk & 15] = a; pc++; } // ST
        case 0x03 -> { mem[kk & 15] = x; pc++; } // STX
        case 0x04 -> { a = alu(c, a, (c & 0x08) != 0 ? x : kk); pc++; } // ALU
        case 0x05 -> pc = jump(pc, c, a, (c & 0x08) != 0 ? x : kk); // JMP
        case 0x06 -> { return (c & 0x18) == 0x10 ? a : kk; } // RET A or K
        case 0x07 -> { if ((c & 0xf8) == 0x00) x = a; else a = x; pc++; } // MISC: TAX / TXA
        default -> { return RET_KILL_PROCESS; }
      }
    }
    return RET_KILL_PROCESS; // ran off the end: the kernel would never accept such a program
  }

  private static int alu(int c, int a, int v) {
    return switch (c & 0xf0) {
      case 0x00 -> a + v;
      case 0x10 -> a - v;
      case 0x20 -> a * v;
      case 0x30 -> v == 0 ? 0 : Integer.divideUnsigned(a, v);
      case 0x40 -> a | v;
      case 0x50 -> a & v;
      case 0x60 -> a << (v & 31);
      case 0x70 -> a >>> (v & 31);
      case 0x80 -> -a;
      case 0x90 -> v == 0 ? 0 : Integer.remainderUnsigned(a, v);
      case 0xa0 -> a ^ v;
      default -> a;
    };
  }

  private int jump(int pc, int c, int a, int v) {
    boolean taken = switch (c & 0xf0) {
      case 0x00 -> true; // JA
      case 0x10 -> a == v; // JEQ
      case 0x20 -> Integer.compareUnsigned(a, v) > 0; // JGT
      case 0x30 -> Integer.compareUnsigned(a, v) >= 0; // JGE
      case 0x40 -> (a & v) != 0; // JSET
      default -> false;
    };
    if ((c & 0xf0) == 0x00) {
      return pc + 1 + k[pc];
    }
    return pc + 1 + ((taken ? jt[pc] : jf[pc]) & 0xff);
  }

  /** Orders actions from most restrictive (0) to least, as the kernel does across filters. */
  static int severity(int action) {
    int a = action & 0xffff0000;
    if (a == RET_KILL_PROCESS) return 0;
    if (a == RET_KILL_THREAD) return 1;
    if (a == RET_TRAP) return 2;
    if (a == RET_ERRNO) return 3;
    if (a == RET_USER_NOTIF) return 4;
    if (a == RET_TRACE) return 5;
    if (a == RET_LOG) return 6;
    if (a == RET_ALLOW) return 7;
    return 0;
  }
}
