package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kulp.elf.BuildId;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine learns from a mapped file, when it may reuse what it learned, and which files it
 * refuses to open. {@code proc} is a procfs-like tree whose {@code PID/root} directories stand for
 * the processes' roots; every file is read through that root, as the node agent reads them.
 */
class MappedFilesTest {
  private static final String LIBRARY = "/lib/libkfix.so.1";
  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  @Test
  void aFileReplacedByAnotherIsReadAgainEvenWhenMapsShowsTheSameDeviceAndInode(@TempDir Path proc) throws Exception {
    Path inProcess = Files.createDirectories(proc.resolve("4242/root/lib")).resolve("libkfix.so.1");
    MappedFiles files = new MappedFiles(proc);
    Files.copy(Fixtures.library(), inProcess);
    Files.setLastModifiedTime(inProcess, FileTime.from(Instant.parse("2020-01-01T00:00:00Z"))); // an older build
    Mapping before = mapping(inProcess, LIBRARY);
    String first = files.fact(4242, before, "build-id", MappedFilesTest::buildId);

    // Another build in the very same inode: what maps shows once an inode number is reused.
    Files.write(inProcess, Files.readAllBytes(Fixtures.otherLibrary()));
    Mapping after = mapping(inProcess, LIBRARY);
    String second = files.fact(4242, after, "build-id", MappedFilesTest::buildId);

    assertThat(after).isEqualTo(before);
    assertThat(first).isEqualTo(buildId(Fixtures.library()));
    assertThat(second).isEqualTo(buildId(Fixtures.otherLibrary())).isNotEqualTo(first);
  }

  @Test
  void aFileSharedByManyProcessesIsReadOnce(@TempDir Path proc) throws Exception {
    for (int pid : new int[] {1, 2}) {
      Path lib = Files.createDirectories(proc.resolve(pid + "/root/lib")).resolve("libkfix.so.1");
      if (pid == 1) {
        Files.copy(Fixtures.library(), lib);
      } else {
        Files.createLink(lib, proc.resolve("1/root/lib/libkfix.so.1"));
      }
    }
    MappedFiles files = new MappedFiles(proc);
    Mapping library = mapping(proc.resolve("1/root/lib/libkfix.so.1"), LIBRARY);
    int[] reads = {0};

    for (int pid : new int[] {1, 2}) {
      files.fact(pid, library, "build-id", elf -> {
        reads[0]++;
        return buildId(elf);
      });
    }

    assertThat(reads[0]).isEqualTo(1);
  }

  @Test
  void aDeletedFileIsReadUnderAnotherNameOfItsOwnButNeverUnderANameThatIsAnotherFileNow(@TempDir Path proc)
      throws Exception {
    Path lib = Files.createDirectories(proc.resolve("7/root/lib")).resolve("libkfix.so.1");
    Files.copy(Fixtures.library(), lib);
    Mapping deleted = mapping(lib, LIBRARY + " (deleted)");
    MappedFiles files = new MappedFiles(proc);

    String buildId = files.fact(7, deleted, "build-id", MappedFilesTest::buildId);
    assertThat(buildId).isEqualTo(buildId(Fixtures.library()));

    // A process still maps the deleted file, so its inode stays allocated: the new file cannot
    // get its number (without this, a file system may hand the freed number straight out again).
    try (FileChannel stillMapped = FileChannel.open(lib)) {
      Files.delete(lib);
      Files.copy(Fixtures.otherLibrary(), lib); // the upgraded package
      assertThatThrownBy(() -> files.fact(7, deleted, "soname", MappedFilesTest::soname))
          .hasMessageContaining("cannot be read safely")
          .hasMessageContaining(LIBRARY + ": it is another file than the one expected there");
    }
  }

  @Test
  void aFifoWhereAMappedFileWasIsRefusedWithoutBlocking(@TempDir Path proc) throws Exception {
    Path lib = Files.createDirectories(proc.resolve("7/root/lib")).resolve("libkfix.so.1");
    Files.copy(Fixtures.library(), lib);
    Mapping deleted = mapping(lib, LIBRARY + " (deleted)");
    Files.delete(lib);
    Commands.output("mkfifo", lib + " (deleted)");
    Commands.output("mkfifo", lib.toString());
    MappedFiles files = new MappedFiles(proc);

    assertTimeoutPreemptively(PROMPTLY, () -> assertThatThrownBy(() -> files.fact(7, deleted, "soname",
        MappedFilesTest::soname))
        .hasMessageContaining(LIBRARY + " (deleted): it is a FIFO, not a regular file")
        .hasMessageContaining(LIBRARY + ": it is a FIFO, not a regular file"));
  }

  @Test
  void aDeviceWhereAMappedFileWasIsNeverOpened(@TempDir Path proc) throws Exception {
    Path lib = Files.createDirectories(proc.resolve("7/root/lib")).resolve("libkfix.so.1");
    Files.copy(Fixtures.library(), lib);
    Mapping mapped = mapping(lib, LIBRARY);
    Files.delete(lib);
    Commands.output("mknod", lib.toString(), "c", "1", "3"); // /dev/null's numbers: its open would succeed
    MappedFiles files = new MappedFiles(proc);

    assertThatThrownBy(() -> files.fact(7, mapped, "soname", MappedFilesTest::soname))
        .hasMessageContaining(LIBRARY + ": it is a character device, not a regular file");
  }

  @Test
  void aLinkOutOfTheProcesssRootIsResolvedInsideItAndTheHostFileIsNeverRead(@TempDir Path dir) throws Exception {
    // A host file, 61 bytes long (too short for an ELF header, which an error would say): the
    // process's maps line even names its device and inode.
    Path host = Files.createDirectories(dir.resolve("host"));
    Path secret = Files.writeString(host.resolve("libkfix.so.1"), "x".repeat(61));
    FileTime longAgo = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.getFileAttributeView(secret, BasicFileAttributeView.class).setTimes(null, longAgo, null);
    Mapping mapped = mapping(secret, LIBRARY);
    Path proc = dir.resolve("proc");
    Path root = Files.createDirectories(proc.resolve("7/root"));
    Files.createSymbolicLink(root.resolve("lib"), host); // an absolute link, planted by the container
    Files.createDirectories(proc.resolve("8/root/lib"));
    Files.createSymbolicLink(proc.resolve("8/root/lib/libkfix.so.1"), Path.of("../../../../host/libkfix.so.1"));
    MappedFiles files = new MappedFiles(proc);

    for (int pid : new int[] {7, 8}) {
      assertThatThrownBy(() -> files.fact(pid, mapped, "soname", MappedFilesTest::soname))
          .hasMessageContaining("cannot be read safely").hasMessageNotContaining("61 bytes");
    }
    assertThat(Files.readAttributes(secret, java.nio.file.attribute.BasicFileAttributes.class).lastAccessTime())
        .as("the host file's access time: it was never read").isEqualTo(longAgo);
  }

  /** The maps line of a file mapped at {@code pathInMaps}, with the file's device and inode. */
  static Mapping mapping(Path file, String pathInMaps) throws IOException {
    long dev = (Long) Files.getAttribute(file, "unix:dev");
    long inode = (Long) Files.getAttribute(file, "unix:ino");
    // glibc's dev_t: the minor number's low byte, then 12 bits of major, then the rest of each.
    long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    String device = String.format("%02x:%02x", major, minor);
    return new Mapping(0x7f0000000000L, 0x7f0000001000L, "r--p", 0, device, inode, pathInMaps);
  }

  private static String buildId(io.kulp.elf.ElfFile elf) {
    return MappedFiles.unchecked(() -> elf.buildId().map(BuildId::hex).orElse(""));
  }

  private static String soname(io.kulp.elf.ElfFile elf) {
    return MappedFiles.unchecked(() -> elf.soname().orElse(""));
  }

  private static String buildId(Path file) throws Exception {
    return buildId(io.kulp.elf.ElfFile.open(file));
  }
}
