package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Map;

/** Which processes a LivePatch targets: every process of the selected containers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetSpec {

  @JsonPropertyDescription("Namespaces whose pods are considered, by namespace labels. Absent or "
      + "empty: all namespaces.")
  public LabelSelector namespaceSelector;

  @JsonPropertyDescription("Pods to target, by pod labels. Absent or empty: every pod of the "
      + "selected namespaces.")
  public LabelSelector podSelector;

  @JsonPropertyDescription("Container names within the selected pods. Absent or empty: all "
      + "containers.")
  public List<String> containers;

  @JsonPropertyDescription("Node labels that must all match (as in a pod's nodeSelector). Absent "
      + "or empty: every node.")
  public Map<String, String> nodeSelector;
}
