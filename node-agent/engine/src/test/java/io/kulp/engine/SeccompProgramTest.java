package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The BPF interpreter that tells whether a process's seccomp filter lets the runtime write code. */
class SeccompProgramTest {
  private static final int NR = 0;
  private static final int ARG2 = 16 + 2 * 8;

  /** Assembles {code, jt, jf, k} instructions into a filter. */
  private static SeccompProgram program(int[]... insns) {
    ByteBuffer b = ByteBuffer.allocate(insns.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int[] i : insns) {
      b.putShort((short) i[0]).put((byte) i[1]).put((byte) i[2]).putInt(i[3]);
    }
    return new SeccompProgram(b.array());
  }

  private static int[] ld(int offset) {
    return new int[] {0x20, 0, 0, offset}; // BPF_LD|BPF_W|BPF_ABS
  }

  private static int[] jeq(int k, int jt, int jf) {
    return new int[] {0x15, jt, jf, k};
  }

  private static int[] jset(int k, int jt, int jf) {
    return new int[] {0x45, jt, jf, k};
  }

  private static int[] ret(int k) {
    return new int[] {0x06, 0, 0, k};
  }

  /** systemd's MemoryDenyWriteExecute, as runtime-c's kfix-driver installs it. */
  private static final SeccompProgram MDWE = program(
      ld(NR), jeq(10, 0, 3), ld(ARG2), jset(0x4, 0, 1), ret(SeccompProgram.RET_ERRNO | 1),
      ret(SeccompProgram.RET_ALLOW));

  @Test
  void anAllowAllFilterAllowsWritableCode() {
    SeccompProgram allow = program(ret(SeccompProgram.RET_ALLOW));
    assertThat(allow.evaluate(10, 0, 0, 4096, 7)).isEqualTo(SeccompProgram.RET_ALLOW);
  }

  @Test
  void aMemoryDenyWriteExecuteFilterRefusesMprotectWithExecButAllowsTheRest() {
    assertThat(MDWE.evaluate(10, 0, 0, 4096, 7) & 0xffff0000).isEqualTo(SeccompProgram.RET_ERRNO);
    assertThat(MDWE.evaluate(10, 0, 0, 4096, 3)).isEqualTo(SeccompProgram.RET_ALLOW);
    assertThat(MDWE.evaluate(257, 0)).isEqualTo(SeccompProgram.RET_ALLOW);
  }

  @Test
  void killingIsMoreRestrictiveThanAnErrorWhichIsMoreRestrictiveThanAllowing() {
    assertThat(SeccompProgram.severity(SeccompProgram.RET_KILL_PROCESS))
        .isLessThan(SeccompProgram.severity(SeccompProgram.RET_TRAP));
    assertThat(SeccompProgram.severity(SeccompProgram.RET_ERRNO | 13))
        .isLessThan(SeccompProgram.severity(SeccompProgram.RET_ALLOW));
  }

  @Test
  void aProgramThatRunsOffItsEndCountsAsKilling() {
    SeccompProgram broken = program(ld(NR));
    assertThat(broken.evaluate(10, 0)).isEqualTo(SeccompProgram.RET_KILL_PROCESS);
  }

  @Test
  void theArchitectureWordIsX8664() {
    SeccompProgram archCheck = program(ld(4), jeq(SeccompProgram.AUDIT_ARCH_X86_64, 0, 1),
        ret(SeccompProgram.RET_ALLOW), ret(SeccompProgram.RET_KILL_PROCESS));
    assertThat(archCheck.evaluate(10, 0)).isEqualTo(SeccompProgram.RET_ALLOW);
  }
}
