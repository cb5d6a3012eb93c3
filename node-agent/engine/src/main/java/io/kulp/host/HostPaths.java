package io.kulp.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the host's files are, as seen by the agent. Every read of a host path goes through this one
 * object, so a test can point it at a fixture tree and a DaemonSet can mount the host elsewhere.
 *
 * <p>The PIDs in {@link #proc()} and in the cgroup files must be the host's: the agent runs with
 * {@code hostPID: true}, or reads a procfs mounted from the host's PID namespace.
 */
public final class HostPaths {
  private final Path proc;
  private final Path cgroupRoot;

  private HostPaths(Path proc, Path cgroupRoot) {
    this.proc = Objects.requireNonNull(proc, "proc");
    this.cgroupRoot = Objects.requireNonNull(cgroupRoot, "cgroupRoot");
  }

  /** The paths of the machine the agent runs on: {@code /proc} and {@code /sys/fs/cgroup}. */
  public static HostPaths system() {
    return under(Path.of("/"));
  }

  /** The host's root filesystem mounted at {@code hostRoot}, for example {@code /host} in a pod. */
  public static HostPaths under(Path hostRoot) {
    return of(hostRoot.resolve("proc"), hostRoot.resolve("sys/fs/cgroup"));
  }

  /** Each path set on its own, when the DaemonSet mounts them separately. */
  public static HostPaths of(Path proc, Path cgroupRoot) {
    return new HostPaths(proc, cgroupRoot);
  }

  /** The host's procfs, usually {@code /proc}. */
  public Path proc() {
    return proc;
  }

  /** The directory of one process in the host's procfs. */
  public Path proc(int pid) {
    return proc.resolve(Integer.toString(pid));
  }

  /**
   * The directory that shows a process's memory and files: {@link #proc(int)}, or a live thread's
   * once the main thread has exited (see {@link ProcessEntry}).
   */
  public Path processEntry(int pid) throws IOException {
    return ProcessEntry.of(proc, pid);
  }

  /**
   * The cgroup filesystem root, usually {@code /sys/fs/cgroup}: a cgroup v2 hierarchy itself, or on
   * cgroup v1 and hybrid hosts the directory holding one mount per hierarchy ({@code memory},
   * {@code pids}, {@code systemd}, {@code unified}, ...).
   */
  public Path cgroupRoot() {
    return cgroupRoot;
  }

  @Override
  public String toString() {
    return "HostPaths[proc=" + proc + ", cgroupRoot=" + cgroupRoot + "]";
  }
}
