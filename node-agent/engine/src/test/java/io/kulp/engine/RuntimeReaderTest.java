package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The runtime's structures are the target's memory: every value read from them may be anything. */
class RuntimeReaderTest {

  @Test
  void readsTheRingOldestFirst() throws Exception {
    FakeMemory m = new FakeMemory().message(1, 0, "loaded").message(2, Abi.LEVEL_WARN, "slow").head(2);

    assertThat(RuntimeReader.messages(m, FakeMemory.ABI)).extracting(RuntimeMessage::seq, RuntimeMessage::level,
        RuntimeMessage::text).containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "info", "loaded"),
            org.assertj.core.groups.Tuple.tuple(2L, "warning", "slow"));
  }

  @Test
  void aMaximalRingHeadReadsTheLastSlotsWithoutWrappingAround() throws Exception {
    FakeMemory m = new FakeMemory().message(Long.MAX_VALUE, Abi.LEVEL_ERROR, "last").head(Long.MAX_VALUE);

    List<RuntimeMessage> read = RuntimeReader.messages(m, FakeMemory.ABI);

    assertThat(read).extracting(RuntimeMessage::text).containsExactly("last");
  }

  @Test
  void anyRingHeadReadsAtMostTheRing() throws Exception {
    for (long head : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, 63, 64, 65, Long.MAX_VALUE - 64,
        Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
      FakeMemory m = new FakeMemory().head(head);
      for (int i = 0; i < Abi.RING_SIZE; i++) {
        m.message(head - i, 0, "m");
      }
      assertThat(RuntimeReader.messages(m, FakeMemory.ABI)).as("head %d", head).hasSizeLessThanOrEqualTo(Abi.RING_SIZE)
          .allMatch(msg -> msg.seq() >= 1 && msg.seq() <= head);
    }
  }

  @Test
  void aPatchWhoseFunctionsRunPastTheTableIsCorruptEvenWhenTheSumOverflows() {
    FakeMemory m = new FakeMemory();
    m.bytes.putInt(Abi.N_PATCHES_OFF, 1).putInt(Abi.N_FUNCS_OFF, 1);
    m.bytes.putInt(Abi.PATCHES_OFF + Abi.PATCH_FIRST_FUNC, Integer.MAX_VALUE).putInt(Abi.PATCHES_OFF + Abi.PATCH_N_FUNCS, 2);

    assertThatThrownBy(() -> RuntimeReader.patches(m, FakeMemory.ABI, 42)).isInstanceOf(EngineException.class)
        .hasMessage("the runtime's patch table is inconsistent: memory is corrupt");
  }
}
