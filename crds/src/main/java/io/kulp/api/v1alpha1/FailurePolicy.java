package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * What the rollout does when nodes report failure, and whose failures it believes.
 *
 * <p>The owner of a targeted pod controls its processes and can make them fail on purpose (stop
 * them, refuse staging, load a fake runtime). So only the failures of processes in namespaces
 * selected by {@link #namespaceSelector} count; RevertCompleted, which rolls the patch back on
 * every node, needs that selector (docs/design.md, "Tenants and credentials").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.onFailure != 'RevertCompleted' || has(self.namespaceSelector)",
    message = "onFailure RevertCompleted needs namespaceSelector: the namespaces whose process failures "
        + "may roll the patch back on every node")
public class FailurePolicy {

  @JsonPropertyDescription("How many failed nodes are tolerated: the policy acts when more than "
      + "this many nodes failed. Default 0 (the first failure acts).")
  @Min(0)
  @Default("0")
  public Integer maxFailedNodes;

  @JsonPropertyDescription("Pause: start no further node (Degraded, not Complete). "
      + "RevertCompleted: also make every node that was worked on revert the patch. Default Pause.")
  @Default("Pause")
  public OnFailure onFailure;

  @JsonPropertyDescription("The namespaces (by namespace labels) whose process failures count "
      + "against this policy. A process failing in any other targeted namespace is reported "
      + "(Failed, with its reason) but does not make its node fail. Absent: every targeted "
      + "namespace counts. Required for RevertCompleted. Empty ({}): every namespace, said "
      + "explicitly.")
  public LabelSelector namespaceSelector;
}
