package io.kulp.host;

import static io.kulp.host.HostFixtures.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {
  private final ProcFs procFs = new ProcFs(HostPaths.under(host("cri-o-cgroupfs-v1")));

  @Test
  void listsTheProcessDirectoriesOnly() throws IOException {
    assertThat(procFs.pids()).containsExactlyInAnyOrder(1, 2099, 2101, 2117, 2301);
  }

  @Test
  void readsTheStartTimeEvenWhenTheCommandNameHoldsSpacesAndParentheses() throws IOException {
    assertThat(Files.readString(host("cri-o-cgroupfs-v1").resolve("proc/2101/stat"))).startsWith("2101 (fixture (main)) S");

    assertThat(procFs.startTime(2101)).isEqualTo(500001);
  }

  @Test
  void takesTheContainerPidFromTheLastNspidField() throws IOException {
    assertThat(procFs.containerPid(2117)).isEqualTo(12);
    assertThat(procFs.containerPid(2099)).isEqualTo(2099);
  }

  @Test
  void readsTheCgroupPathOfEachHierarchy() throws IOException {
    String pod = "/kubepods/burstable/pod8c2e3f4a-1b5d-4c6e-9f7a-0d1e2b3c4a5f/crio-conmon-" + HostFixtures.CONTAINER;

    assertThat(procFs.cgroupPaths(2099)).containsExactly(pod, pod, "/");
  }

  @Test
  void saysWhenAProcessHasGoneAndWhenTheKernelHasNoNspid(@TempDir Path proc) throws IOException {
    Files.createDirectories(proc.resolve("7"));
    Files.writeString(proc.resolve("7/status"), "Name:\told\nPid:\t7\n");
    ProcFs old = new ProcFs(HostPaths.of(proc, proc.resolve("no-cgroups")));

    assertThatThrownBy(() -> old.describe(8)).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> old.containerPid(7)).hasMessageContaining("no NSpid line");
  }
}
