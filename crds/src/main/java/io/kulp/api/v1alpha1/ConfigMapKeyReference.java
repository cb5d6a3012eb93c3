package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;

/** One key of a ConfigMap's {@code binaryData}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyReference {

  /** Namespace of the ConfigMap. Required (LivePatch is cluster-scoped). */
  @Required
  public String namespace;

  /** Name of the ConfigMap. Required. */
  @Required
  public String name;

  /** Key in {@code binaryData} whose value is the patch file. Required. */
  @Required
  public String key;
}
