package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One targeted container of a pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetContainer {

  /** Container name, as in the pod spec. */
  public String name;

  /**
   * Runtime container ID from the pod's containerStatuses, for example
   * {@code containerd://0123…}. Absent while the container has not started; the agent then skips
   * it, and the operator fills it in once the kubelet reports it.
   */
  public String containerID;
}
