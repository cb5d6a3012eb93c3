package io.kulp.host;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A container as Kubernetes reports it in {@code status.containerStatuses[].containerID}: a runtime
 * scheme and the runtime's 64-hex-digit ID, for example {@code containerd://3f9a...}.
 *
 * @param runtime the container runtime that named the container, from the scheme
 * @param id the runtime's full container ID, 64 lowercase hex digits
 */
public record ContainerId(Runtime runtime, String id) {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

  /** The runtimes kulp knows, with the names each gives a container's cgroup directory. */
  public enum Runtime {
    /** containerd's CRI plugin: {@code <id>} with cgroupfs, {@code cri-containerd-<id>.scope} with systemd. */
    CONTAINERD("containerd", "%s", "cri-containerd-%s.scope"),
    /** CRI-O: {@code crio-<id>} with cgroupfs, {@code crio-<id>.scope} with systemd. */
    CRIO("cri-o", "crio-%s", "crio-%s.scope"),
    /** Docker (also through cri-dockerd): {@code <id>} with cgroupfs, {@code docker-<id>.scope} with systemd. */
    DOCKER("docker", "%s", "docker-%s.scope");

    private final String scheme;
    private final String cgroupfsName;
    private final String systemdName;

    Runtime(String scheme, String cgroupfsName, String systemdName) {
      this.scheme = scheme;
      this.cgroupfsName = cgroupfsName;
      this.systemdName = systemdName;
    }

    /** The scheme in a Kubernetes container ID, without {@code ://}. */
    public String scheme() {
      return scheme;
    }
  }

  public ContainerId {
    Objects.requireNonNull(runtime, "runtime");
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a container ID has 64 lowercase hex digits, not '" + id + "'");
    }
  }

  /** Parses {@code containerd://<id>}, {@code cri-o://<id>} or {@code docker://<id>}. */
  public static ContainerId parse(String containerId) {
    int sep = containerId.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException("expected <runtime>://<id>, got '" + containerId + "'");
    }
    String scheme = containerId.substring(0, sep);
    for (Runtime runtime : Runtime.values()) {
      if (runtime.scheme.equals(scheme)) {
        return new ContainerId(runtime, containerId.substring(sep + 3));
      }
    }
    throw new IllegalArgumentException(
        "unknown container runtime '" + scheme + "' in '" + containerId + "'; known: containerd, cri-o, docker");
  }

  /**
   * The names this container's cgroup directory has under the cgroupfs and the systemd cgroup
   * drivers. The same names appear as path segments in {@code /proc/PID/cgroup}. Runtimes also
   * create sibling directories that hold other processes, such as CRI-O's {@code crio-conmon-<id>.scope}
   * for its monitor; these names do not match them.
   */
  public Set<String> cgroupDirNames() {
    return Set.of(runtime.cgroupfsName.formatted(id), runtime.systemdName.formatted(id));
  }

  @Override
  public String toString() {
    return runtime.scheme + "://" + id;
  }
}
