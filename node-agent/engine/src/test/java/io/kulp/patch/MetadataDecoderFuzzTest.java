package io.kulp.patch;

import io.kulp.testing.Fuzz;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzes the {@code .ulp}/{@code .ulp.rev} decoder (docs/fuzzing.md): random bytes, and real
 * sections with fields overwritten, cut or extended, their size and CRC fields mostly made right
 * again so that the decoder gets past them to the tables. Only MetadataException may come out.
 */
class MetadataDecoderFuzzTest {
  private static final List<byte[]> SECTIONS = List.of(encode(SampleMetadata.apply()),
      encode(SampleMetadata.apply().revert()));

  @Property
  void randomBytesAreRejectedCleanly(@ForAll @Size(max = 4096) byte[] bytes) {
    decodes(bytes);
  }

  @Property
  void damagedSectionsAreRejectedCleanly(@ForAll("damagedSections") byte[] section) {
    decodes(section);
  }

  private static void decodes(byte[] section) {
    Fuzz.allowing(() -> {
      try {
        MetadataDecoder.decode(section);
      } finally {
        for (PatchKind kind : PatchKind.values()) {
          try {
            MetadataDecoder.decode(section, kind);
          } catch (MetadataException expected) {
            // the property: this, or a result
          }
        }
      }
    }, MetadataException.class);
  }

  private static byte[] encode(PatchMetadata m) {
    try {
      return MetadataEncoder.encode(m);
    } catch (MetadataException e) {
      throw new AssertionError(e);
    }
  }

  /** offset (a fraction of the length, or a field of the header), width, value. */
  private record Write(double at, boolean header, int width, long value) {}

  @Provide
  Arbitrary<byte[]> damagedSections() {
    Arbitrary<Write> write = Combinators.combine(Arbitraries.doubles().between(0, 1), Arbitraries.of(true, false),
        Arbitraries.of(1, 2, 4, 8), Fuzz.interestingNumbers()).as(Write::new);
    Arbitrary<Integer> length = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 1024));
    return Combinators.combine(Arbitraries.of(SECTIONS), write.list().ofMaxSize(8), length,
        Arbitraries.integers().between(0, 9)).as(MetadataDecoderFuzzTest::damaged);
  }

  /** Writes into {@code section}, resizes it to {@code length} (-1: as is), then in 9 of 10 cases fixes size and CRC. */
  private static byte[] damaged(byte[] section, List<Write> writes, int length, int fix) {
    byte[] out = length < 0 ? section.clone() : Arrays.copyOf(section, length);
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (Write w : writes) {
      int span = w.header() ? Math.min(out.length, PatchFormat.HEADER_SIZE) : out.length;
      int at = Math.min((int) (w.at() * span), out.length - w.width());
      if (at < 0) {
        continue;
      }
      switch (w.width()) {
        case 1 -> b.put(at, (byte) w.value());
        case 2 -> b.putShort(at, (short) w.value());
        case 4 -> b.putInt(at, (int) w.value());
        default -> b.putLong(at, w.value());
      }
    }
    if (fix > 0 && out.length >= PatchFormat.HEADER_SIZE) {
      b.putInt(PatchFormat.OFF_SIZE, out.length);
      b.putInt(PatchFormat.OFF_CRC, (int) MetadataEncoder.crc(out));
    }
    return out;
  }
}
