package io.kulp.packer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.patch.FunctionPair;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchException;
import io.kulp.testing.Commands;
import io.kulp.testing.FixtureCopy;
import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functions without kulp's padding (docs/design.md "Functions without padding"): the packer
 * records them unprepared with the CRC of the bytes the jump replaces, or refuses them.
 */
class UnpreparedPackingTest {
  static final Path LIBZ = Path.of("/lib/x86_64-linux-gnu/libz.so.1");
  static final Path UNPREPARED = Fixtures.unprepared();

  @TempDir Path tmp;
  private Path patches;

  @BeforeEach
  void copyFixtures() {
    patches = FixtureCopy.into(tmp);
  }

  @Test
  void zlibsCompressBoundIsPackedUnpreparedWithTheCrcOfItsFirstFiveBytes() throws Exception {
    describe("value_v2.so\n@" + LIBZ + "\ncompressBound:kfix_value_v2\n");
    long compressBound = dynamicSymbol(LIBZ, "compressBound");

    new Packer("objcopy").pack(patches.resolve("value_v2.dsc"), null);

    FunctionPair f = PatchContainer.read(patches.resolve("value_v2.so")).apply().functions().get(0);
    assertThat(f.oldOffset()).isEqualTo(compressBound);
    assertThat(f.unprepared()).isTrue();
    assertThat(f.entryCrc()).isEqualTo(crcOfFileBytes(LIBZ, compressBound, 5));
  }

  @Test
  void aFunctionThatABranchEntersInItsFirstFiveBytesIsRefusedAndNothingIsWritten() throws Exception {
    describe("value_v2.so\n@" + UNPREPARED.resolve("libunprepared.so.1") + "\nunp_branch_back:kfix_value_v2\n");
    byte[] before = Files.readAllBytes(patches.resolve("value_v2.so"));

    assertThatThrownBy(() -> new Packer("objcopy").pack(patches.resolve("value_v2.dsc"), null))
        .isInstanceOf(PatchException.class)
        .hasMessageContaining("value_v2.dsc:3: function unp_branch_back (0x")
        .hasMessageContaining("of libunprepared.so.1 cannot be patched")
        .hasMessageContaining("is the target of the branch at")
        .hasMessageContaining("-fpatchable-function-entry=16,14");
    assertThat(Files.readAllBytes(patches.resolve("value_v2.so"))).isEqualTo(before);
  }

  @Test
  void aStaticFunctionOfAStrippedLibraryIsFoundInItsDebugFileByBuildId() throws Exception {
    describe("value_v2.so\n@" + UNPREPARED.resolve("stripped/libunprepared.so.1") + "\nunp_static:kfix_value_v2\n");

    new Packer("objcopy", UNPREPARED.resolve("debug")).pack(patches.resolve("value_v2.dsc"), null);

    FunctionPair f = PatchContainer.read(patches.resolve("value_v2.so")).apply().functions().get(0);
    assertThat(f.oldName()).isEqualTo("unp_static");
    assertThat(f.unprepared()).isTrue();
  }

  @Test
  void withoutTheDebugFileAStrippedLibrarysStaticFunctionIsNotFound() throws Exception {
    describe("value_v2.so\n@" + UNPREPARED.resolve("stripped/libunprepared.so.1") + "\nunp_static:kfix_value_v2\n");

    assertThatThrownBy(() -> new Packer("objcopy", tmp.resolve("no-debug")).pack(patches.resolve("value_v2.dsc"), null))
        .isInstanceOf(PatchException.class).hasMessageContaining("function unp_static not found")
        .hasMessageContaining("the library is stripped");
  }

  @Test
  void aFunctionWithPaddingStaysPrepared() throws Exception {
    new Packer("objcopy").pack(patches.resolve("value_v2.dsc"), null);

    FunctionPair f = PatchContainer.read(patches.resolve("value_v2.so")).apply().functions().get(0);
    assertThat(f.unprepared()).isFalse();
    assertThat(f.entryCrc()).isZero();
  }

  private void describe(String text) throws IOException {
    Files.writeString(patches.resolve("value_v2.dsc"), text);
  }

  /** The symbol's value as readelf prints it. */
  static long dynamicSymbol(Path library, String name) {
    for (String line : Commands.output("readelf", "-W", "--dyn-syms", library.toString()).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 8 && f[7].replaceAll("@.*", "").equals(name)) {
        return Long.parseUnsignedLong(f[1], 16);
      }
    }
    throw new IllegalStateException(name + " is not in " + library);
  }

  /** CRC-32 of the file bytes at an address, placed through readelf's section table. */
  static int crcOfFileBytes(Path library, long address, int length) throws IOException {
    for (String line : Commands.output("readelf", "-W", "-S", library.toString()).split("\n")) {
      String[] f = line.replaceAll("^\\s*\\[\\s*\\d+]\\s*", "").trim().split("\\s+");
      if (f.length > 5 && f[0].equals(".text")) {
        long addr = Long.parseUnsignedLong(f[2], 16);
        long offset = Long.parseUnsignedLong(f[3], 16);
        byte[] file = Files.readAllBytes(library);
        int at = (int) (address - addr + offset);
        CRC32 crc = new CRC32();
        crc.update(Arrays.copyOfRange(file, at, at + length));
        return (int) crc.getValue();
      }
    }
    throw new IllegalStateException("no .text in " + library);
  }
}
