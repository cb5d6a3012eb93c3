package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** How a LivePatch is rolled out across nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {

  @JsonPropertyDescription("At most this many nodes are in progress at once: a count (at least 1) "
      + "or a percentage of the targeted nodes (\"25%\", rounded down, at least 1 node). Default "
      + "1.")
  @ValidationRule(value = "type(self) == int ? self >= 1 : self.matches('^([1-9][0-9]?|100)%$')",
      message = "maxConcurrentNodes must be an integer >= 1 or a percentage from 1% to 100%")
  public IntOrString maxConcurrentNodes;

  @JsonPropertyDescription("Patch a few nodes first, then pause. Absent: no canary.")
  public CanarySpec canary;

  @JsonPropertyDescription("When true, no further node is started; nodes already in progress "
      + "finish. Setting it back to false resumes. Default false.")
  public Boolean paused;

  @JsonPropertyDescription("How long a started node may take: a node whose agent has not given "
      + "its final report (Succeeded or Failed) this long after the operator started it fails with "
      + "\"did not finish within nodeTimeout\" and counts against the failure policy; its rollout "
      + "slot is freed. A duration such as \"90s\", \"10m\" or \"1h30m\", at least 1s. Default "
      + "\"10m\". Deletion stops waiting for such a node too (docs/api.md, \"Deletion\").")
  @Default("10m")
  @ValidationRule(value = "self.matches('^([0-9]+h)?([0-9]+m)?([0-9]+s)?$') && self != ''"
      + " && !self.matches('^(0+h)?(0+m)?(0+s)?$')",
      message = "nodeTimeout must be a duration of at least 1s such as 90s, 10m or 1h30m")
  public String nodeTimeout;

  @JsonPropertyDescription("What to do when nodes fail. Absent: maxFailedNodes 0, onFailure "
      + "Pause.")
  public FailurePolicy failurePolicy;

  @JsonPropertyDescription("Retries the nodes that failed: set it to a new value (any text, such "
      + "as the date) and every node whose agent reported Failed is started again, under the rules "
      + "above. Processes already patched there are left alone; the failed ones are tried again. "
      + "It starts no new rollout, and does not undo a rollback made by onFailure RevertCompleted.")
  @Size(max = 63)
  public String retry;
}
