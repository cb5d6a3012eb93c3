package io.kulp.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.elf.BuildId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class MetadataCodecTest {

  @Test
  void roundTripsFunctionsReferencesAndLabels() throws MetadataException {
    PatchMetadata m = SampleMetadata.apply();
    assertThat(MetadataDecoder.decode(MetadataEncoder.encode(m), PatchKind.APPLY)).isEqualTo(m);
  }

  @Test
  void storesTheOffsetOfAStaticPatchPointerAtReferenceByte20AndReadsItBack() throws MetadataException {
    PatchMetadata m = new PatchMetadata(PatchKind.APPLY, SampleMetadata.ID, "libkfix.so.1", SampleMetadata.TARGET,
        SampleMetadata.CONTAINER, List.of(),
        List.of(new PrivateReference("counter", "ulpr_counter", 0x7054, ReferenceKind.DATA, 0xfedc4030L)), List.of());
    byte[] bytes = MetadataEncoder.encode(m);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    assertThat(Integer.toUnsignedLong(b.getInt(b.getInt(196) + 20))).isEqualTo(0xfedc4030L);
    assertThat(MetadataDecoder.decode(bytes, PatchKind.APPLY)).as("references only, no function").isEqualTo(m);
  }

  @Test
  void writesAnUnpreparedFunctionAsFlagBit0AndItsEntryCrcAtFunctionByte20() throws MetadataException {
    PatchMetadata m = new PatchMetadata(PatchKind.APPLY, SampleMetadata.ID, "libz.so.1", SampleMetadata.TARGET,
        SampleMetadata.CONTAINER, List.of(new FunctionPair("crc32", "crc32_v2", 0x3250),
            FunctionPair.unprepared("compressBound", "compressBound_v2", 0x1e80, 0xcafe1234)), List.of(), List.of());
    byte[] bytes = MetadataEncoder.encode(m);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int second = b.getInt(188) + 24;

    assertThat(b.getInt(second + 16)).isEqualTo(PatchFormat.FUNC_UNPREPARED).isEqualTo(1);
    assertThat(b.getInt(second + 20)).isEqualTo(0xcafe1234);
    assertThat(b.getLong(second - 24 + 16)).as("a prepared function's flags and CRC").isZero();
    assertThat(MetadataDecoder.decode(bytes, PatchKind.APPLY)).isEqualTo(m);
  }

  @Test
  void storesTheConsistencyCheckInHeaderByte45OfBothSections() throws MetadataException {
    PatchMetadata m = SampleMetadata.apply().withConsistencyCheck();
    byte[] apply = MetadataEncoder.encode(m);
    byte[] revert = MetadataEncoder.encode(m.revert());
    assertThat(apply[45]).isEqualTo((byte) PatchFormat.PATCH_CONSISTENT).isEqualTo((byte) 1);
    assertThat(revert[45]).as("a revert needs the check too").isEqualTo((byte) 1);
    assertThat(MetadataEncoder.encode(SampleMetadata.apply())[45]).as("off by default").isZero();
    assertThat(MetadataDecoder.decode(apply, PatchKind.APPLY)).isEqualTo(m);
    assertThat(MetadataDecoder.decode(revert, PatchKind.REVERT).consistent()).isTrue();
  }

  @Test
  void roundTripsTheRevertSectionWhichCarriesOnlyTheIdentity() throws MetadataException {
    PatchMetadata rev = SampleMetadata.apply().revert();
    PatchMetadata decoded = MetadataDecoder.decode(MetadataEncoder.encode(rev), PatchKind.REVERT);

    assertThat(decoded).isEqualTo(rev);
    assertThat(decoded.id()).isEqualTo(SampleMetadata.ID);
    assertThat(decoded.functions()).isEmpty();
  }

  @Test
  void writesTheHeaderAtTheDocumentedOffsets() throws MetadataException {
    byte[] bytes = MetadataEncoder.encode(SampleMetadata.apply());
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("KULP");
    assertThat(b.getShort(4)).isEqualTo((short) 1);
    assertThat(b.getShort(6)).isEqualTo((short) 1);
    assertThat(b.getInt(8)).isEqualTo(bytes.length);
    assertThat(Arrays.copyOfRange(bytes, 16, 32)).isEqualTo(SampleMetadata.ID.bytes());
    assertThat(string(bytes, b.getInt(32) + b.getInt(40))).isEqualTo("libkfix.so.1");
    assertThat(bytes[44]).isEqualTo((byte) 20);
    assertThat(Arrays.copyOfRange(bytes, 48, 68)).isEqualTo(SampleMetadata.TARGET.bytes());
    assertThat(Arrays.copyOfRange(bytes, 68, 112)).containsOnly(0);
    assertThat(bytes[112]).isEqualTo((byte) 20);
    assertThat(Arrays.copyOfRange(bytes, 120, 140)).isEqualTo(SampleMetadata.CONTAINER.bytes());
    assertThat(b.getInt(184)).isEqualTo(2);
    assertThat(b.getInt(192)).isEqualTo(2);
    assertThat(b.getInt(200)).isEqualTo(2);
    int funcs = b.getInt(188);
    assertThat(funcs).isEqualTo(208);
    assertThat(b.getLong(funcs + 8)).isEqualTo(0x212e);
    assertThat(string(bytes, b.getInt(32) + b.getInt(funcs + 4))).isEqualTo("kfix_counter_v2");
    int refs = b.getInt(196);
    assertThat(b.getInt(refs + 24 + 16)).as("second reference kind").isEqualTo(2);
    for (int table : List.of(funcs, refs, b.getInt(204), b.getInt(32))) {
      assertThat(table % 8).as("table offset %d", table).isZero();
    }
  }

  @Test
  void checksumsTheSectionWithItsCrcFieldAsZero() throws MetadataException {
    byte[] bytes = MetadataEncoder.encode(SampleMetadata.apply());
    int stored = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    Arrays.fill(bytes, 12, 16, (byte) 0);
    CRC32 crc = new CRC32();
    crc.update(bytes);

    assertThat(stored).isEqualTo((int) crc.getValue());
  }

  @Test
  void derivesThePatchIdFromTheContainerBuildIdAndTheDescription() throws Exception {
    byte[] dsc = "value_v2.so\n@../fixtures/libkfix.so.1\nkfix_value:kfix_value_v2\n".getBytes(StandardCharsets.UTF_8);
    byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(concat(SampleMetadata.CONTAINER.bytes(), dsc));

    assertThat(PatchId.derive(SampleMetadata.CONTAINER, dsc).bytes()).isEqualTo(Arrays.copyOf(sha, 16));
    assertThat(PatchId.derive(SampleMetadata.CONTAINER, dsc)).isEqualTo(PatchId.derive(SampleMetadata.CONTAINER, dsc.clone()));
    assertThat(PatchId.derive(SampleMetadata.TARGET, dsc)).isNotEqualTo(PatchId.derive(SampleMetadata.CONTAINER, dsc));
    assertThat(PatchId.derive(SampleMetadata.CONTAINER, dsc).hex()).hasSize(32).matches("[0-9a-f]+");
  }

  @Test
  void theEncoderRefusesMoreFunctionsThanAPatchMayHave() {
    List<FunctionPair> many = Collections.nCopies(257, new FunctionPair("a", "b", 1));
    PatchMetadata m = new PatchMetadata(PatchKind.APPLY, SampleMetadata.ID, "lib.so", SampleMetadata.TARGET,
        SampleMetadata.CONTAINER, many, List.of(), List.of());

    assertThatThrownBy(() -> MetadataEncoder.encode(m)).isInstanceOf(MetadataException.class)
        .hasMessageContaining("257 functions").hasMessageContaining("256");
  }

  @Test
  void theEncoderRefusesMetadataLargerThan64KiB() {
    List<FunctionPair> big = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      big.add(new FunctionPair("f" + i + "x".repeat(1000), "g" + i, i));
    }
    PatchMetadata m = new PatchMetadata(PatchKind.APPLY, SampleMetadata.ID, "lib.so", SampleMetadata.TARGET,
        SampleMetadata.CONTAINER, big, List.of(), List.of());

    assertThatThrownBy(() -> MetadataEncoder.encode(m)).isInstanceOf(MetadataException.class)
        .hasMessageContaining("65536");
  }

  @Test
  void aRevertCannotCarryFunctions() {
    assertThatThrownBy(() -> new PatchMetadata(PatchKind.REVERT, SampleMetadata.ID, "l", SampleMetadata.TARGET,
        SampleMetadata.CONTAINER, List.of(new FunctionPair("a", "b", 1)), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void buildIdsKeepTheirLengthAndHex() {
    assertThat(BuildId.ofHex("00ff").bytes()).containsExactly(0, 255);
    assertThat(BuildId.ofHex("00FF").hex()).isEqualTo("00ff");
    assertThatThrownBy(() -> BuildId.of(new byte[65])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BuildId.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  private static String string(byte[] b, int at) {
    int end = at;
    while (b[end] != 0) {
      end++;
    }
    return new String(b, at, end - at, StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
