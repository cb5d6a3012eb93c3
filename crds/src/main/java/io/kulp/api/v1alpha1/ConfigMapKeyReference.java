package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** One key of a ConfigMap's {@code binaryData}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyReference {

  @JsonPropertyDescription("Namespace of the ConfigMap. Required (LivePatch is cluster-scoped).")
  @Required
  public String namespace;

  @JsonPropertyDescription("Name of the ConfigMap. Required.")
  @Required
  public String name;

  @JsonPropertyDescription("Key in binaryData whose value is the patch file. Required.")
  @Required
  public String key;
}
