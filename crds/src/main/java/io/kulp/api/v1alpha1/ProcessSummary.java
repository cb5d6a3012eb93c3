package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Counts over the processes of one node's target containers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessSummary {

  @JsonPropertyDescription("Processes found in the target containers.")
  public long matched;

  @JsonPropertyDescription("Processes in which the patch is applied (action Apply).")
  public long applied;

  @JsonPropertyDescription("Processes from which the patch (or, for RevertAll, every kulp patch) "
      + "is reverted.")
  public long reverted;

  @JsonPropertyDescription("Processes left alone on purpose (library not loaded, another "
      + "build-id, no runtime...).")
  public long skipped;

  @JsonPropertyDescription("Processes where the action failed.")
  public long failed;
}
