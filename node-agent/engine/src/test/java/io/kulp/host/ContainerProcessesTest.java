package io.kulp.host;

import static io.kulp.host.HostFixtures.ABSENT;
import static io.kulp.host.HostFixtures.CONTAINER;
import static io.kulp.host.HostFixtures.NEIGHBOUR;
import static io.kulp.host.HostFixtures.containerIn;
import static io.kulp.host.HostFixtures.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerProcessesTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "docker-cgroupfs-v1", "docker-cgroupfs-hybrid", "docker-systemd-v2",
      "containerd-cgroupfs-v1", "containerd-cgroupfs-v2", "containerd-systemd-v1", "containerd-systemd-v2",
      "cri-o-cgroupfs-v1", "cri-o-systemd-v2", "containerd-proc-only"})
  void mapsAContainerToItsHostPidsContainerPidsAndStartTimes(String layout) throws IOException {
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host(layout)));

    assertThat(processes.find(containerIn(layout, CONTAINER))).containsExactly(
        new ContainerProcess(2101, 1, 500001),
        new ContainerProcess(2117, 12, 500777));
    assertThat(processes.find(containerIn(layout, NEIGHBOUR))).containsExactly(
        new ContainerProcess(2301, 1, 500100));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker-cgroupfs-v1", "containerd-systemd-v2", "cri-o-cgroupfs-v1", "containerd-proc-only"})
  void findsNoProcessForAContainerThatIsNotOnTheHost(String layout) throws IOException {
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host(layout)));

    assertThat(processes.find(containerIn(layout, ABSENT))).isEmpty();
  }

  /** The pod of every kubelet layout in the snapshots. */
  private static final String POD_UID = "8c2e3f4a-1b5d-4c6e-9f7a-0d1e2b3c4a5f";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"containerd-cgroupfs-v1", "containerd-systemd-v1", "containerd-systemd-v2",
      "cri-o-cgroupfs-v1", "cri-o-systemd-v2", "containerd-proc-only"})
  void findsTheContainerOfThePodWhoseStatusNamesIt(String layout) throws IOException {
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host(layout)));

    assertThat(processes.find(containerIn(layout, CONTAINER), POD_UID)).extracting(ContainerProcess::hostPid)
        .containsExactly(2101, 2117);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"containerd-cgroupfs-v1", "containerd-systemd-v1", "containerd-systemd-v2",
      "cri-o-cgroupfs-v1", "cri-o-systemd-v2", "containerd-proc-only"})
  void refusesAContainerThatAnotherPodsStatusNames(String layout) {
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host(layout)));
    String otherPod = "0d0d0d0d-1111-2222-3333-444444444444";

    assertThatThrownBy(() -> processes.find(containerIn(layout, CONTAINER), otherPod))
        .isInstanceOf(ContainerElsewhereException.class)
        .hasMessageContaining("runs in the cgroup of pod " + POD_UID + ", not of pod " + otherPod);
  }

  @Test
  void acceptsAContainerStartedOutsideTheKubeletWhoseCgroupNamesNoPod() throws IOException {
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host("docker-cgroupfs-v1")));

    assertThat(processes.find(containerIn("docker-cgroupfs-v1", CONTAINER), POD_UID)).hasSize(2);
  }

  @Test
  void doesNotMistakeAnotherRuntimesContainerNameForTheContainer() throws IOException {
    // The same ID, but the host's cgroups were named by containerd, not CRI-O.
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host("containerd-systemd-v2")));

    assertThat(processes.find(ContainerId.parse("cri-o://" + CONTAINER))).isEmpty();
  }

  @Test
  void readsThePidsInCgroupProcsAndLeavesOutThoseThatHaveExited(@TempDir Path tmp) throws IOException {
    // Same cgroup tree, but procfs knows only the container's first process: the PIDs come from
    // cgroup.procs, and a PID that procfs does not have (it exited meanwhile) is left out.
    Path cgroupRoot = host("containerd-systemd-v2").resolve("sys/fs/cgroup");
    Path proc = tmp.resolve("proc");
    Path first = proc.resolve("2101");
    Files.createDirectories(first);
    Path fixtureFirst = host("containerd-systemd-v2").resolve("proc/2101");
    for (String file : new String[] {"status", "stat"}) {
      Files.copy(fixtureFirst.resolve(file), first.resolve(file));
    }
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.of(proc, cgroupRoot));

    assertThat(processes.find(ContainerId.parse("containerd://" + CONTAINER)))
        .containsExactly(new ContainerProcess(2101, 1, 500001));
  }

  @Test
  void tellsARunningProcessFromAReusedPid() throws IOException {
    ContainerProcesses processes = new HostContainerProcesses(HostPaths.under(host("docker-systemd-v2")));

    assertThat(processes.isRunning(new ContainerProcess(2101, 1, 500001))).isTrue();
    assertThat(processes.isRunning(new ContainerProcess(2101, 1, 400000))).isFalse();
    assertThat(processes.isRunning(new ContainerProcess(4242, 1, 500001))).isFalse();
  }
}
