package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** What the rollout does when nodes report failure. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailurePolicy {

  /**
   * How many failed nodes are tolerated: the policy acts when more than this many nodes failed.
   * Default 0 (the first failure acts).
   */
  @Min(0)
  @Default("0")
  public Integer maxFailedNodes;

  /**
   * Pause: start no further node (Degraded, not Complete). RevertCompleted: also make every node
   * that was worked on revert the patch. Default Pause.
   */
  @Default("Pause")
  public OnFailure onFailure;
}
