package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Counts over the processes of one node's target containers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessSummary {

  /** Processes found in the target containers. */
  public long matched;

  /** Processes in which the patch is applied (action Apply). */
  public long applied;

  /** Processes from which the patch (or, for RevertAll, every kulp patch) is reverted. */
  public long reverted;

  /** Processes left alone on purpose (library not loaded, another build-id, no runtime...). */
  public long skipped;

  /** Processes where the action failed. */
  public long failed;
}
