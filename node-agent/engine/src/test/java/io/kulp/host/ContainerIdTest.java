package io.kulp.host;

import static io.kulp.host.HostFixtures.CONTAINER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.host.ContainerId.Runtime;
import org.junit.jupiter.api.Test;

class ContainerIdTest {

  @Test
  void parsesTheContainerIdsThatKubeletReportsForEachRuntime() {
    assertThat(ContainerId.parse("containerd://" + CONTAINER)).isEqualTo(new ContainerId(Runtime.CONTAINERD, CONTAINER));
    assertThat(ContainerId.parse("cri-o://" + CONTAINER)).isEqualTo(new ContainerId(Runtime.CRIO, CONTAINER));
    assertThat(ContainerId.parse("docker://" + CONTAINER)).isEqualTo(new ContainerId(Runtime.DOCKER, CONTAINER));
    assertThat(ContainerId.parse("cri-o://" + CONTAINER)).hasToString("cri-o://" + CONTAINER);
  }

  @Test
  void namesTheCgroupDirectoryAsEachRuntimeDoesUnderCgroupfsAndSystemd() {
    assertThat(new ContainerId(Runtime.CONTAINERD, CONTAINER).cgroupDirNames())
        .containsExactlyInAnyOrder(CONTAINER, "cri-containerd-" + CONTAINER + ".scope");
    assertThat(new ContainerId(Runtime.CRIO, CONTAINER).cgroupDirNames())
        .containsExactlyInAnyOrder("crio-" + CONTAINER, "crio-" + CONTAINER + ".scope");
    assertThat(new ContainerId(Runtime.DOCKER, CONTAINER).cgroupDirNames())
        .containsExactlyInAnyOrder(CONTAINER, "docker-" + CONTAINER + ".scope");
  }

  @Test
  void rejectsAnUnknownRuntimeAndIdsThatAreNotSixtyFourHexDigits() {
    assertThatThrownBy(() -> ContainerId.parse("rkt://" + CONTAINER))
        .hasMessageContaining("unknown container runtime 'rkt'");
    assertThatThrownBy(() -> ContainerId.parse(CONTAINER)).hasMessageContaining("<runtime>://<id>");
    assertThatThrownBy(() -> ContainerId.parse("docker://" + CONTAINER.substring(1)))
        .hasMessageContaining("64 lowercase hex digits");
    assertThatThrownBy(() -> ContainerId.parse("docker://" + CONTAINER.toUpperCase()))
        .hasMessageContaining("64 lowercase hex digits");
    assertThatThrownBy(() -> ContainerId.parse("docker://../../" + CONTAINER.substring(6)))
        .hasMessageContaining("64 lowercase hex digits");
  }
}
