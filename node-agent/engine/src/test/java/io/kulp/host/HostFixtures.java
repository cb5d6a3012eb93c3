package io.kulp.host;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The host snapshots under {@code src/test/resources/hosts/}. Each is a {@code proc/} and, except
 * for {@code containerd-proc-only}, a {@code sys/fs/cgroup/} tree in one runtime's layout, named
 * {@code <runtime>-<cgroup driver>-<cgroup version>}. Every snapshot has the same processes:
 *
 * <ul>
 *   <li>1: the host's init, in the root cgroup;
 *   <li>2099: a runtime process outside the containers (CRI-O's conmon sits beside its container);
 *   <li>2101 and 2117: container {@link #CONTAINER}, PIDs 1 and 12 inside it;
 *   <li>2301: container {@link #NEIGHBOUR} in the same pod, PID 1 inside it.
 * </ul>
 */
final class HostFixtures {
  static final String CONTAINER = "f3a1c9e07b5d4e2a8c6b1d0e9f7a5c3b2e4d6f8a0c1b3d5e7f9a2c4e6b8d0f1a";
  static final String NEIGHBOUR = "0b7e5c3a1f9d8e6c4a2b0d1f3e5c7a9b8d6f4e2c0a1b3d5f7e9c8a6b4d2f0e1c";
  static final String ABSENT = "5d0c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e";

  private HostFixtures() {}

  /** The root of one snapshot, for {@link HostPaths#under(Path)}. */
  static Path host(String layout) {
    try {
      return Path.of(HostFixtures.class.getResource("/hosts/" + layout).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("no host fixture " + layout, e);
    }
  }

  /** A container ID in the runtime the layout's name starts with. */
  static ContainerId containerIn(String layout, String id) {
    String scheme = layout.startsWith("cri-o") ? "cri-o" : layout.split("-")[0];
    return ContainerId.parse(scheme + "://" + id);
  }
}
