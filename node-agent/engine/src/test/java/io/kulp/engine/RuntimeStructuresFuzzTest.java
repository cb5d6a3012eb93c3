package io.kulp.engine;

import io.kulp.testing.Fuzz;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzes the decoders of the runtime's structures, which the engine reads from a target's memory
 * (docs/fuzzing.md): a ready runtime's kulp_abi with values written over its header, patch and
 * function records, response and message ring. Only EngineException (the structure is corrupt)
 * and NativeError (the memory is not readable) may come out.
 */
class RuntimeStructuresFuzzTest {

  @Property
  void anyHeaderDecodes(@ForAll @Size(Abi.HEADER_LEN) byte[] header) {
    Fuzz.allowing(() -> RuntimeState.decode(java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN))
        .problem());
  }

  @Property
  void damagedRuntimesAreReadOrRejectedCleanly(@ForAll("damagedRuntimes") FakeMemory memory) {
    Fuzz.allowing(() -> {
      RuntimeState.decode(memory.read(FakeMemory.ABI, Abi.HEADER_LEN)).problem();
      try {
        RuntimeReader.patches(memory, FakeMemory.ABI, 42);
      } catch (EngineException expected) {
        // the property: this, or a result
      }
      RuntimeReader.messages(memory, FakeMemory.ABI);
      Response.read(memory, FakeMemory.ABI);
    }, EngineException.class, NativeError.class);
  }

  /** A value written over one field of one record (width 1: a byte anywhere in the record, strings included). */
  private record Write(int region, int record, int field, int width, long value) {}

  /** A region of kulp_abi: where it starts, its records' size and count, and their fields as {offset, width}. */
  private record Region(int start, int size, int count, int[][] fields) {}

  private static final List<Region> REGIONS = List.of(
      new Region(0, Abi.HEADER_LEN, 1, new int[][] {{Abi.MAGIC_OFF, 4}, {Abi.VERSION_OFF, 4}, {Abi.SIZE_OFF, 4},
          {Abi.STATE_OFF, 4}, {Abi.HELPER_TID_OFF, 4}, {Abi.N_PATCHES_OFF, 4}, {Abi.N_FUNCS_OFF, 4},
          {Abi.GENERATION_OFF, 8}, {Abi.MESSAGE_HEAD_OFF, 8}}),
      new Region(Abi.PATCHES_OFF, Abi.PATCH_SIZE, 4, new int[][] {{Abi.PATCH_FIRST_FUNC, 4}, {Abi.PATCH_N_FUNCS, 4},
          {Abi.PATCH_APPLIED_NS, 8}, {Abi.PATCH_ORDER, 4}}),
      new Region(Abi.FUNCS_OFF, Abi.FUNC_SIZE, 8, new int[][] {{Abi.FUNC_OLD_ADDR, 8}, {Abi.FUNC_NEW_ADDR, 8},
          {Abi.FUNC_PATCH, 4}, {Abi.FUNC_ACTIVE, 4}}),
      new Region(Abi.RESPONSE_OFF, Abi.RESP_CHECKS, 1, new int[][] {{Abi.RESP_SEQ, 4}, {Abi.RESP_PHASE, 4},
          {Abi.RESP_STATUS, 4}, {Abi.RESP_N_CHECKS, 4}, {Abi.RESP_N_WRITES, 4}, {Abi.RESP_N_FORBIDDEN, 4},
          {Abi.RESP_APPLIED, 8}}),
      new Region(Abi.RESPONSE_OFF + Abi.RESP_WRITES, Abi.WRITE_SIZE, 4, new int[][] {{Abi.WRITE_ADDR, 8},
          {Abi.WRITE_LEN, 4}, {Abi.WRITE_LIVE, 4}}),
      new Region(Abi.RESPONSE_OFF + Abi.RESP_FORBIDDEN, Abi.RANGE_SIZE, 4, new int[][] {{Abi.RANGE_START, 8},
          {Abi.RANGE_END, 8}}),
      new Region(Abi.RING_OFF, Abi.MSG_SIZE, Abi.RING_SIZE, new int[][] {{Abi.MSG_SEQ, 8}, {Abi.MSG_TIME, 8},
          {Abi.MSG_LEVEL, 4}}));

  @Provide
  Arbitrary<FakeMemory> damagedRuntimes() {
    Arbitrary<Long> value = Arbitraries.oneOf(Fuzz.interestingNumbers(), Arbitraries.longs().between(0, 8),
        Arbitraries.longs().between(0, Abi.MAX_FUNCS + 1));
    Arbitrary<Write> write = Combinators.combine(Arbitraries.integers().between(0, REGIONS.size() - 1),
        Arbitraries.integers().between(0, Abi.RING_SIZE - 1), Arbitraries.integers().between(0, Abi.PATCH_SIZE),
        Arbitraries.of(0, 0, 0, 1), value).as(Write::new);
    // Most runtimes keep sane counts so that the reads get to the records; the ring head is anything.
    Arbitrary<long[]> counts = Combinators.combine(Arbitraries.longs().between(0, 4), Arbitraries.longs().between(0, 8),
        Arbitraries.longs().between(0, 5), Arbitraries.oneOf(Arbitraries.longs().between(0, 200), Fuzz.interestingNumbers()))
        .as((p, f, phase, head) -> new long[] {p, f, phase, head});
    return Combinators.combine(counts, write.list().ofMaxSize(24)).as(RuntimeStructuresFuzzTest::damaged);
  }

  private static FakeMemory damaged(long[] counts, List<Write> writes) {
    FakeMemory m = new FakeMemory();
    long head = counts[3];
    m.bytes.putInt(Abi.N_PATCHES_OFF, (int) counts[0]).putInt(Abi.N_FUNCS_OFF, (int) counts[1])
        .putInt(Abi.RESPONSE_OFF + Abi.RESP_PHASE, (int) counts[2]).putLong(Abi.MESSAGE_HEAD_OFF, head);
    for (int s = 0; s < Abi.RING_SIZE; s++) {
      m.message(head - s, s % 3, "message " + s);
    }
    for (Write w : writes) {
      Region r = REGIONS.get(w.region());
      int record = r.start() + (w.record() % r.count()) * r.size();
      if (w.width() == 1) {
        m.bytes.put(record + w.field() % r.size(), (byte) w.value());
        continue;
      }
      int[] field = r.fields()[w.field() % r.fields().length];
      if (field[1] == 4) {
        m.bytes.putInt(record + field[0], (int) w.value());
      } else {
        m.bytes.putLong(record + field[0], w.value());
      }
    }
    return m;
  }
}
