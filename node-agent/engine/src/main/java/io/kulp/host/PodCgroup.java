package io.kulp.host;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pod a cgroup path belongs to. The kubelet puts every container of a pod below the pod's own
 * cgroup, named after the pod's UID: {@code pod<uid>} with the cgroupfs driver,
 * {@code kubepods-<qos>-pod<uid with _ for ->.slice} with the systemd driver. A container ID taken
 * from a pod's status is therefore trusted only when its cgroup is that pod's: otherwise anyone
 * who can write a pod's status could point the agent at another tenant's container.
 */
public final class PodCgroup {
  private static final Pattern POD_SEGMENT =
      Pattern.compile("^(?:kubepods(?:-[a-z]+)?-)?pod([0-9a-fA-F][0-9a-fA-F_-]{15,40})(?:\\.slice)?$");

  private PodCgroup() {}

  /** The UID of the pod whose cgroup {@code path} is in, if it names one. */
  public static Optional<String> podUid(String path) {
    for (String segment : path.split("/")) {
      Matcher m = POD_SEGMENT.matcher(segment);
      if (m.matches()) {
        return Optional.of(m.group(1).replace('_', '-').toLowerCase());
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a container whose cgroup is {@code path} may be taken as a container of the pod with
   * UID {@code podUid}: the path names that pod, or names no pod at all (a container a runtime
   * started outside the kubelet, as the end-to-end tests' docker containers). Any UID is accepted
   * when {@code podUid} is null.
   */
  public static boolean belongsTo(String path, String podUid) {
    Optional<String> found = podUid(path);
    return podUid == null || found.isEmpty() || found.get().equals(podUid.toLowerCase());
  }
}
