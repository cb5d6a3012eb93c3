package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which pod a cgroup path belongs to, in the kubelet's cgroupfs and systemd layouts. */
class PodCgroupTest {
  private static final String UID = "8c2e3f4a-1b5d-4c6e-9f7a-0d1e2b3c4a5f";

  @Test
  void readsThePodUidOfBothKubeletLayouts() {
    assertThat(PodCgroup.podUid("/kubepods/burstable/pod" + UID + "/f3a1")).contains(UID);
    assertThat(PodCgroup.podUid("/kubepods/pod" + UID + "/crio-f3a1")).contains(UID);
    assertThat(PodCgroup.podUid("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
        + UID.replace('-', '_') + ".slice/cri-containerd-f3a1.scope")).contains(UID);
    assertThat(PodCgroup.podUid("/kubepods.slice/kubepods-pod" + UID.replace('-', '_') + ".slice/crio-f3a1.scope"))
        .contains(UID);
  }

  @Test
  void readsTheHashUidOfAStaticPod() {
    String staticUid = "6ef8d4a1c3b2e5f7a9d0c1b2e3f4a5b6";

    assertThat(PodCgroup.podUid("/kubepods/besteffort/pod" + staticUid + "/f3a1")).contains(staticUid);
  }

  @Test
  void findsNoPodInAContainerStartedOutsideTheKubelet() {
    assertThat(PodCgroup.podUid("/docker/f3a1c9e07b5d")).isEmpty();
    assertThat(PodCgroup.podUid("/system.slice/docker-f3a1.scope")).isEmpty();
    assertThat(PodCgroup.podUid("/user.slice/podman-1234.scope")).isEmpty();
  }

  @Test
  void aContainerBelongsToThePodItsCgroupNamesOrToAnyPodWhenItNamesNone() {
    String path = "/kubepods/burstable/pod" + UID + "/f3a1";

    assertThat(PodCgroup.belongsTo(path, UID)).isTrue();
    assertThat(PodCgroup.belongsTo(path, UID.toUpperCase())).isTrue();
    assertThat(PodCgroup.belongsTo(path, "0d0d0d0d-1111-2222-3333-444444444444")).isFalse();
    assertThat(PodCgroup.belongsTo("/docker/f3a1", UID)).isTrue();
    assertThat(PodCgroup.belongsTo(path, null)).isTrue();
  }
}
