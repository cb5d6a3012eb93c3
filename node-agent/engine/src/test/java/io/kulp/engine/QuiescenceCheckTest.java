package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuiescenceCheckTest {
  @Test
  void anAddressFollowsAnInt3OnlyWhenTheByteBeforeItIsOneAndCanBeRead() {
    FakeMemory memory = new FakeMemory();
    memory.bytes.put(0x9f, (byte) 0xcc);
    memory.bytes.put(0xa9, (byte) 0x90);
    long onInt3 = FakeMemory.ABI + 0xa0;
    long onNop = FakeMemory.ABI + 0xaa;
    long unreadable = 0x1000;

    assertThat(QuiescenceCheck.int3Before(memory, new long[] {onInt3, onNop, unreadable}))
        .containsExactly(true, false, false);
  }
}
