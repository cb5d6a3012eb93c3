package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.elf.BuildId;
import io.kulp.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the engine learns from a mapped file, and when it may reuse what it learned. */
class MappedFilesTest {
  /** /proc/4242/maps would show this device and inode for both files below: inode numbers get reused. */
  private static final Mapping LIBRARY = new Mapping(0x7f0000000000L, 0x7f0000001000L, "r--p", 0, "fd:01", 1835,
      "/lib/libkfix.so.1");

  @Test
  void aFileReplacedByAnotherIsReadAgainEvenWhenMapsShowsTheSameDeviceAndInode(@TempDir Path proc) throws Exception {
    Path inProcess = Files.createDirectories(proc.resolve("4242/root/lib")).resolve("libkfix.so.1");
    MappedFiles files = new MappedFiles(proc);

    Files.copy(Fixtures.library(), inProcess);
    String first = files.fact(4242, LIBRARY, "build-id", MappedFilesTest::buildId);
    Files.copy(Fixtures.otherLibrary(), inProcess, StandardCopyOption.REPLACE_EXISTING);
    String second = files.fact(4242, LIBRARY, "build-id", MappedFilesTest::buildId);

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
    int[] reads = {0};

    for (int pid : new int[] {1, 2}) {
      files.fact(pid, LIBRARY, "build-id", elf -> {
        reads[0]++;
        return buildId(elf);
      });
    }

    assertThat(reads[0]).isEqualTo(1);
  }

  private static String buildId(io.kulp.elf.ElfFile elf) {
    return MappedFiles.unchecked(() -> elf.buildId().map(BuildId::hex).orElse(""));
  }

  private static String buildId(Path file) throws Exception {
    return buildId(io.kulp.elf.ElfFile.open(file));
  }
}
