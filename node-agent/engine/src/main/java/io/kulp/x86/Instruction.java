package io.kulp.x86;

/**
 * One decoded instruction, as Capstone prints it in Intel syntax.
 *
 * @param address where it starts
 * @param size its length in bytes
 * @param mnemonic e.g. {@code call}, {@code jne}; {@code .byte} for a byte that is no instruction
 * @param operands e.g. {@code 0x1f40} (a relative branch's target), {@code rax, qword ptr [rip + 0x2fe1]}
 * @param valid false when the bytes are no valid instruction (Capstone's "skip data")
 */
public record Instruction(long address, int size, String mnemonic, String operands, boolean valid) {
  /** Not found: {@link #relativeTarget()} and {@link #ripAddress()} answer this when there is no such address. */
  public static final long NONE = -1;
  private static final String[] BRANCH_PREFIXES = {"bnd ", "notrack "};

  /** The address just past it, where a call returns to. */
  public long end() {
    return address + size;
  }

  public boolean isCall() {
    return valid && operation().equals("call");
  }

  /** The mnemonic without the branch prefixes Capstone prints in it ({@code bnd jmp}, {@code notrack call}). */
  String operation() {
    String m = mnemonic;
    for (String prefix : BRANCH_PREFIXES) {
      if (m.startsWith(prefix)) {
        m = m.substring(prefix.length());
      }
    }
    return m;
  }

  /**
   * The target of a direct (relative) jump, conditional jump, call, loop or {@code xbegin}, which
   * Capstone prints as an absolute address; {@link #NONE} for every other instruction, indirect
   * branches ({@code jmp rax}, {@code call qword ptr [...]}) included.
   */
  public long relativeTarget() {
    if (!valid || !isRelativeBranchMnemonic(operation()) || !operands.startsWith("0x")) {
      return NONE;
    }
    return hex(operands, 2, operands.length());
  }

  /** The address of a RIP-relative memory operand ({@code [rip + 0x10]}: the next instruction plus 0x10), or {@link #NONE}. */
  public long ripAddress() {
    int at = operands.indexOf("[rip");
    if (!valid || at < 0) {
      return NONE;
    }
    int sign = at + 5; // after "[rip "
    if (operands.startsWith("+ 0x", sign) || operands.startsWith("- 0x", sign)) {
      int end = operands.indexOf(']', sign);
      long disp = hex(operands, sign + 4, end < 0 ? operands.length() : end);
      return disp == NONE ? NONE : end() + (operands.charAt(sign) == '+' ? disp : -disp);
    }
    return operands.startsWith("]", at + 4) ? end() : NONE;
  }

  static boolean isRelativeBranchMnemonic(String m) {
    return m.startsWith("j") || m.equals("call") || m.startsWith("loop") || m.equals("xbegin");
  }

  private static long hex(String s, int from, int to) {
    if (from >= to || to - from > 16) {
      return NONE;
    }
    try {
      return Long.parseUnsignedLong(s, from, to, 16);
    } catch (NumberFormatException e) {
      return NONE;
    }
  }

  @Override
  public String toString() {
    return String.format("0x%x: %s %s", address, mnemonic, operands).trim();
  }
}
