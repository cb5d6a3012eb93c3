package io.kulp.host;

import java.io.IOException;

/** A container ID that a pod's status names, whose cgroup is another pod's: it is not that pod's container. */
public final class ContainerElsewhereException extends IOException {
  public ContainerElsewhereException(ContainerId container, String podUid, String actualPodUid) {
    super("container " + container + " runs in the cgroup of pod " + actualPodUid + ", not of pod " + podUid
        + " whose status names it: not patched (a pod status that names another pod's container is never trusted)");
  }
}
