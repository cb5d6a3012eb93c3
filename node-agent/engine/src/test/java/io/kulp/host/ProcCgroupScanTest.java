package io.kulp.host;

import static io.kulp.host.HostFixtures.CONTAINER;
import static io.kulp.host.HostFixtures.NEIGHBOUR;
import static io.kulp.host.HostFixtures.containerIn;
import static io.kulp.host.HostFixtures.host;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProcCgroupScanTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "docker-cgroupfs-v1", "docker-cgroupfs-hybrid", "docker-systemd-v2",
      "containerd-cgroupfs-v1", "containerd-cgroupfs-v2", "containerd-systemd-v1", "containerd-systemd-v2",
      "cri-o-cgroupfs-v1", "cri-o-systemd-v2", "containerd-proc-only"})
  void findsTheContainersProcessesInProcCgroupOfEveryLayout(String layout) throws IOException {
    ProcCgroupScan scan = new ProcCgroupScan(new ProcFs(HostPaths.under(host(layout))));

    assertThat(scan.pidsOf(containerIn(layout, CONTAINER))).containsExactly(2101, 2117);
    assertThat(scan.pidsOf(containerIn(layout, NEIGHBOUR))).containsExactly(2301);
  }
}
