package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One targeted container of a pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetContainer {

  @JsonPropertyDescription("Container name, as in the pod spec.")
  public String name;

  @JsonPropertyDescription("Runtime container ID from the pod's containerStatuses, for example "
      + "containerd://0123…. Absent while the container has not started; the agent then skips it, "
      + "and the operator fills it in once the kubelet reports it.")
  public String containerID;
}
