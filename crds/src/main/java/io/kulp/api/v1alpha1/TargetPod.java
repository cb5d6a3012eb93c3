package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** One targeted pod on a node, with the containers of it that are targeted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetPod {

  @JsonPropertyDescription("Namespace of the pod.")
  public String namespace;

  @JsonPropertyDescription("Name of the pod.")
  public String name;

  @JsonPropertyDescription("metadata.uid of the pod: a pod recreated under the same name is a "
      + "different target.")
  public String uid;

  @JsonPropertyDescription("False when the LivePatch's failure policy does not count this pod's "
      + "namespace (namespaceSelector): a process failing here is reported Failed, but the node "
      + "does not fail for it. Absent: true.")
  public Boolean countFailures;

  @JsonPropertyDescription("The targeted containers of this pod, sorted by name.")
  public List<TargetContainer> containers = new ArrayList<>();
}
