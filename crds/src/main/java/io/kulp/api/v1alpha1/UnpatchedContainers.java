package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * The targeted containers of a complete OneShot rollout that started after their node was done,
 * and so run without the patch: a OneShot node works on the processes present when it is started.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnpatchedContainers {

  @JsonPropertyDescription("How many running containers that the LivePatch's target selects "
      + "started (their state.running.startedAt, as the kubelet reports it) at least a second after "
      + "their node's final report (after the rollout completed, for a node not in it), on nodes "
      + "that reported: new pods and restarted containers. They run unpatched. 0 when none.")
  public int count;

  @JsonPropertyDescription("The first of them (at most 20, sorted), as \"node: "
      + "namespace/pod/container\".")
  public List<String> containers = new ArrayList<>();
}
