package io.kulp.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the sweep reads from each instruction Capstone decodes: size, validity, branch targets, RIP-relative addresses. */
class DisassemblerTest {
  @Test
  void readsDirectBranchTargetsWithOrWithoutABndPrefixButNotIndirectOnes() throws Exception {
    List<Instruction> code = decode(0x1000,
        0xe8, 0x0b, 0, 0, 0, //            call 0x1010
        0xf2, 0xe9, 0x05, 0, 0, 0, //      bnd jmp 0x1010
        0x75, 0xf4, //                     jne 0x1001
        0xff, 0xd0, //                     call rax
        0xe2, 0xfe); //                    loop 0x100f

    assertThat(code).extracting(Instruction::relativeTarget)
        .containsExactly(0x1010L, 0x1010L, 0x1001L, Instruction.NONE, 0x100fL);
    assertThat(code).extracting(Instruction::isCall).containsExactly(true, false, false, true, false);
  }

  @Test
  void readsRipRelativeAddressesFromTheNextInstruction() throws Exception {
    List<Instruction> code = decode(0x2000,
        0x48, 0x8b, 0x05, 0x10, 0, 0, 0, //             mov rax, [rip + 0x10]
        0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff, //    lea rax, [rip - 0x10]
        0xff, 0x25, 0, 0, 0, 0); //                     jmp [rip]

    assertThat(code).extracting(Instruction::ripAddress).containsExactly(0x2017L, 0x1ffeL, 0x2014L);
    assertThat(code.get(2).relativeTarget()).isEqualTo(Instruction.NONE);
  }

  @Test
  void aByteThatIsNoInstructionIsSkippedAndDecodingGoesOn() throws Exception {
    List<Instruction> code = decode(0x3000, 0x06, 0xc3);

    assertThat(code).extracting(Instruction::valid).containsExactly(false, true);
    assertThat(code).extracting(Instruction::size).containsExactly(1, 1);
    assertThat(code.get(1).mnemonic()).isEqualTo("ret");
  }

  private static List<Instruction> decode(long address, int... bytes) throws Exception {
    byte[] code = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      code[i] = (byte) bytes[i];
    }
    try (Disassembler d = Disassembler.open()) {
      return d.decode(code, address, 100);
    }
  }
}
