package io.kulp.host;

import static io.kulp.host.HostFixtures.CONTAINER;
import static io.kulp.host.HostFixtures.containerIn;
import static io.kulp.host.HostFixtures.host;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupFsTest {

  @Test
  void searchesTheRootOfACgroupV2Host() throws IOException {
    CgroupFs cgroupFs = new CgroupFs(HostPaths.under(host("containerd-systemd-v2")));

    assertThat(cgroupFs.isUnified()).isTrue();
    assertThat(cgroupFs.hierarchies()).containsExactly(host("containerd-systemd-v2").resolve("sys/fs/cgroup"));
  }

  @Test
  void searchesTheUnifiedAndSystemdHierarchiesOfAHybridHostFirst() throws IOException {
    Path cgroupRoot = host("docker-cgroupfs-hybrid").resolve("sys/fs/cgroup");
    CgroupFs cgroupFs = new CgroupFs(HostPaths.under(host("docker-cgroupfs-hybrid")));

    assertThat(cgroupFs.isUnified()).isFalse();
    assertThat(cgroupFs.hierarchies()).containsExactly(
        cgroupRoot.resolve("unified"), cgroupRoot.resolve("systemd"), cgroupRoot.resolve("pids"), cgroupRoot.resolve("memory"));
  }

  @Test
  void findsTheContainerInACgroupV1HierarchyWhenTheUnifiedOneDoesNotHaveIt() throws IOException {
    CgroupFs cgroupFs = new CgroupFs(HostPaths.under(host("docker-cgroupfs-v1")));

    assertThat(cgroupFs.findContainerDir(containerIn("docker", CONTAINER)))
        .contains(host("docker-cgroupfs-v1").resolve("sys/fs/cgroup/systemd/docker/" + CONTAINER));
  }

  @Test
  void findsACrioScopeAndReadsThePidsOfCrunsContainerSubgroupButNotConmons() throws IOException {
    CgroupFs cgroupFs = new CgroupFs(HostPaths.under(host("cri-o-systemd-v2")));

    Path scope = cgroupFs.findContainerDir(containerIn("cri-o-systemd-v2", CONTAINER)).orElseThrow();

    assertThat(scope.getFileName()).hasToString("crio-" + CONTAINER + ".scope");
    assertThat(cgroupFs.pidsUnder(scope)).containsExactly(2101, 2117);
  }

  @Test
  void hasNothingToSearchWhenTheCgroupFilesystemIsNotMounted() throws IOException {
    CgroupFs cgroupFs = new CgroupFs(HostPaths.under(host("containerd-proc-only")));

    assertThat(cgroupFs.hierarchies()).isEmpty();
    assertThat(cgroupFs.findContainerDir(containerIn("containerd-proc-only", CONTAINER))).isEmpty();
  }
}
