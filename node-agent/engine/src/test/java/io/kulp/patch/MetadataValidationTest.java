package io.kulp.patch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Every rule of docs/patch-format.md "Validation", one damaged section each (CRC fixed up unless it is the point). */
class MetadataValidationTest {
  private static final int STRINGS = 32;
  private static final int STRINGS_SIZE = 36;
  private static final int LIBRARY = 40;
  private static final int FUNC_COUNT = 184;
  private static final int FUNCS = 188;
  private static final int REF_COUNT = 192;
  private static final int REFS = 196;
  private static final int LABEL_COUNT = 200;

  @Test
  void rejectsASectionShorterThanItsHeader() throws MetadataException {
    byte[] cut = Arrays.copyOf(valid(), 100);
    assertRejected(cut, "truncated: 100 bytes");
  }

  @Test
  void rejectsATruncatedSectionWhoseSizeFieldSaysMore() throws MetadataException {
    byte[] bytes = valid();
    assertRejected(Arrays.copyOf(bytes, bytes.length - 5), "(truncated)");
  }

  @Test
  void rejectsAWrongMagic() throws MetadataException {
    assertRejected(damaged(b -> b.put(0, (byte) 'X')), "no KULP magic");
    assertRejected(new byte[] {1, 2, 3, 4, 5, 6, 7}, "no KULP magic");
  }

  @Test
  void rejectsAnotherFormatVersion() throws MetadataException {
    assertRejected(damaged(b -> b.putShort(4, (short) 2)), "format version 2");
  }

  @Test
  void rejectsAnUnknownKindAndAKindInTheWrongSection() throws MetadataException {
    assertRejected(damaged(b -> b.putShort(6, (short) 3)), "kind is 3");
    assertThatThrownBy(() -> MetadataDecoder.decode(valid(), PatchKind.REVERT)).isInstanceOf(MetadataException.class)
        .hasMessageContaining(".ulp.rev must hold kind 2");
  }

  @Test
  void rejectsASizeFieldThatDisagreesWithTheSection() throws MetadataException {
    byte[] longer = Arrays.copyOf(valid(), valid().length + 8);
    assertRejected(longer, "size field says");
  }

  @Test
  void rejectsASizeAbove64KiB() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(8, 70000)), "more than the 65536 allowed");
  }

  @Test
  void rejectsACrcMismatch() throws MetadataException {
    byte[] bytes = valid();
    bytes[bytes.length - 3] ^= 1;
    assertRejected(bytes, "CRC-32 mismatch");
  }

  @Test
  void rejectsCountsAboveTheirLimits() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(FUNC_COUNT, 257)), "function count 257 exceeds the limit of 256");
    assertRejected(damaged(b -> b.putInt(REF_COUNT, -1)), "reference count 4294967295 exceeds");
    assertRejected(damaged(b -> b.putInt(LABEL_COUNT, 33)), "label count 33 exceeds the limit of 32");
  }

  @Test
  void rejectsTablesOutsideTheSectionOrOverTheHeader() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(FUNCS, b.capacity() - 8)), "function table");
    assertRejected(damaged(b -> b.putInt(REFS, 0)), "reference table (offset 0");
    assertRejected(damaged(b -> b.putInt(STRINGS_SIZE, b.capacity())), "string table");
  }

  @Test
  void rejectsAMisalignedTable() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(FUNCS, 212)), "not 8-byte aligned");
  }

  @Test
  void rejectsAStringReferenceOutsideTheStringTable() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(LIBRARY, b.getInt(STRINGS_SIZE))), "target library name: string reference");
    assertRejected(damaged(b -> b.putInt(b.getInt(FUNCS) + 4, 1 << 20)), "function 0 new name");
  }

  @Test
  void rejectsAStringThatIsNotTerminated() throws MetadataException {
    assertRejected(damaged(b -> b.put(b.capacity() - 1, (byte) 'x')), "not NUL-terminated");
  }

  @Test
  void rejectsAStringLongerThan1023Bytes() throws MetadataException {
    PatchMetadata m = new PatchMetadata(PatchKind.APPLY, SampleMetadata.ID, "libkfix.so.1", SampleMetadata.TARGET,
        SampleMetadata.CONTAINER, java.util.List.of(new FunctionPair("f".repeat(1023), "g", 1)), java.util.List.of(),
        java.util.List.of());
    byte[] longest = MetadataEncoder.encode(m);
    MetadataDecoder.decode(longest);
    ByteBuffer b = ByteBuffer.wrap(longest).order(ByteOrder.LITTLE_ENDIAN);
    int terminator = b.getInt(STRINGS) + b.getInt(b.getInt(FUNCS)) + 1023;
    // Without its NUL, the old name runs on into the next string.
    assertRejected(damaged(longest, x -> x.put(terminator, (byte) 'f')), "longer than 1023");
  }

  @Test
  void rejectsBuildIdLengthsOfZeroAndAbove64() throws MetadataException {
    assertRejected(damaged(b -> b.put(44, (byte) 0)), "target build-id length is 0");
    assertRejected(damaged(b -> b.put(112, (byte) 65)), "container build-id length is 65");
  }

  @Test
  void rejectsAnUnknownReferenceKind() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(b.getInt(REFS) + 16, 7)), "reference kind is 7");
  }

  @Test
  void rejectsNonZeroReservedBytes() throws MetadataException {
    assertRejected(damaged(b -> b.put(46, (byte) 1)), "reserved bytes after the patch flags");
    assertRejected(damaged(b -> b.put(47, (byte) 1)), "reserved bytes after the patch flags");
    assertRejected(damaged(b -> b.put(113, (byte) 1)), "reserved bytes after the container build-id length");
  }

  @Test
  void rejectsPatchFlagsOtherThanTheConsistencyCheck() throws MetadataException {
    assertRejected(damaged(b -> b.put(45, (byte) 2)), "unknown patch flags 0x2");
    assertRejected(damaged(b -> b.put(45, (byte) 0x81)), "unknown patch flags 0x81");
  }

  @Test
  void rejectsFunctionFlagsOtherThanUnprepared() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(b.getInt(FUNCS) + 16, 2)), "function 0 flags are 0x2: only bit 0");
    assertRejected(damaged(b -> b.putInt(b.getInt(FUNCS) + 16, 0x80000001)), "function 0 flags are 0x80000001");
  }

  @Test
  void rejectsAnEntryCrcOnAFunctionThatIsNotUnprepared() throws MetadataException {
    assertRejected(damaged(b -> b.putInt(b.getInt(FUNCS) + 20, 0x1234)),
        "function 0 entry CRC is 0x1234 but the function is not unprepared");
  }

  @Test
  void rejectsARevertSectionThatCarriesFunctions() throws MetadataException {
    assertRejected(damaged(b -> b.putShort(6, (short) 2)), "a revert section carries functions");
  }

  @Test
  void rejectsRandomBytesWithAMetadataException() {
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = random.nextBoolean() ? new byte[random.nextInt(600)] : valid();
      if (junk.length > 0) {
        for (int f = 0; f < 1 + random.nextInt(8); f++) {
          junk[random.nextInt(junk.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        MetadataDecoder.decode(random.nextBoolean() ? fixCrc(junk) : junk);
      } catch (MetadataException expected) {
        // the only failure allowed
      }
    }
  }

  private static byte[] valid() {
    try {
      return MetadataEncoder.encode(SampleMetadata.apply());
    } catch (MetadataException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] damaged(Consumer<ByteBuffer> change) {
    return damaged(valid(), change);
  }

  private static byte[] damaged(byte[] section, Consumer<ByteBuffer> change) {
    byte[] bytes = section.clone();
    change.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    return fixCrc(bytes);
  }

  /** Recomputes the CRC so that the decoder gets past it to the damage under test. */
  private static byte[] fixCrc(byte[] bytes) {
    if (bytes.length < 16) {
      return bytes;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(12, 0);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    b.putInt(12, (int) crc.getValue());
    return bytes;
  }

  private static void assertRejected(byte[] section, String message) throws MetadataException {
    assertThatThrownBy(() -> MetadataDecoder.decode(section)).isInstanceOf(MetadataException.class)
        .hasMessageContaining(message);
  }
}
