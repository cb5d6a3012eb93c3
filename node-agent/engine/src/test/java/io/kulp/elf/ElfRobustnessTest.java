package io.kulp.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged input yields an {@link ElfException} naming the problem, never an index or allocation error. */
class ElfRobustnessTest {
  private static final long SEED = 0x6b756c70L;
  @TempDir Path tmp;

  @Test
  void rejectsAnEmptyFileAndTextWithAClearMessage() throws IOException {
    Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
    Path text = Files.writeString(tmp.resolve("text"), "x".repeat(100));

    assertThatThrownBy(() -> ElfFile.open(empty)).isInstanceOf(ElfException.class)
        .hasMessageContaining("not a valid ELF file").hasMessageContaining("shorter than an ELF header");
    assertThatThrownBy(() -> ElfFile.open(text)).isInstanceOf(ElfException.class).hasMessageContaining("no ELF magic");
    assertThatThrownBy(() -> ElfFile.open(tmp)).isInstanceOf(ElfException.class).hasMessage(tmp + ": is a directory, not an ELF file");
  }

  @Test
  void rejectsOtherClassesEndiannessAndMachines() throws IOException {
    byte[] image = Files.readAllBytes(Fixtures.library());
    assertRejected(with(image, 4, 1), "not a 64-bit ELF file");
    assertRejected(with(image, 5, 2), "not little endian");
    assertRejected(with(image, 18, 183), "not an x86-64 object");
  }

  @Test
  void everyTruncationOfTheLibraryEitherReadsOrFailsCleanly() throws IOException {
    byte[] image = Files.readAllBytes(Fixtures.library());
    int failures = 0;
    for (int len = 0; len < image.length; len += len < 512 ? 1 : 97) {
      if (!readsEverything(Arrays.copyOf(image, len))) {
        failures++;
      }
    }
    assertThat(failures).as("truncated images rejected").isGreaterThan(500);
  }

  @Test
  void randomlyDamagedLibrariesFailOnlyWithElfException() throws IOException {
    byte[] image = Files.readAllBytes(Fixtures.library());
    Random random = new Random(SEED);
    for (int i = 0; i < 3000; i++) {
      byte[] damaged = image.clone();
      int flips = 1 + random.nextInt(16);
      for (int f = 0; f < flips; f++) {
        // Mostly the headers and tables (start and end of the file), where offsets and sizes live.
        int at = random.nextBoolean() ? random.nextInt(1024) : damaged.length - 1 - random.nextInt(4096);
        damaged[at] = (byte) random.nextInt(256);
      }
      readsEverything(damaged);
    }
  }

  @Test
  void randomBytesAfterAValidHeaderFailOnlyWithElfException() throws IOException {
    byte[] header = Arrays.copyOf(Files.readAllBytes(Fixtures.library()), 64);
    Random random = new Random(SEED + 1);
    for (int i = 0; i < 1000; i++) {
      byte[] junk = new byte[64 + random.nextInt(8192)];
      random.nextBytes(junk);
      System.arraycopy(header, 0, junk, 0, 64);
      if (random.nextBoolean()) {
        ByteBuffer.wrap(junk).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(40, 64 + random.nextInt(junk.length));
      }
      readsEverything(junk);
    }
  }

  /** Reads all that the engine and the CLI read; true if it worked, false on an ElfException. */
  private static boolean readsEverything(byte[] image) {
    try {
      ElfFile elf = ElfFile.parse(ByteBuffer.wrap(image), "damaged");
      elf.symbols();
      elf.dynamicSymbols();
      elf.notes();
      elf.buildId();
      elf.soname();
      for (ElfSection s : elf.sections()) {
        elf.contents(s);
      }
      PaddingSurvey.of(elf);
      return true;
    } catch (ElfException expected) {
      assertThat(expected.getMessage()).startsWith("damaged: not a valid ELF file: ");
      return false;
    }
  }

  private static byte[] with(byte[] image, int at, int value) {
    byte[] copy = image.clone();
    copy[at] = (byte) value;
    return copy;
  }

  private static void assertRejected(byte[] image, String message) {
    assertThatThrownBy(() -> ElfFile.parse(ByteBuffer.wrap(image), "damaged")).isInstanceOf(ElfException.class)
        .hasMessageContaining(message);
  }
}
