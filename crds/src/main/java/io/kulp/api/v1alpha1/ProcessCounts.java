package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Process counts summed over the targeted nodes' LivePatchNode status summaries. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessCounts {

  /** Processes in the desired state: Applied for action Apply, Reverted for Revert/RevertAll. */
  public long patched;

  /** Processes left alone on purpose (for example: the library is not loaded, another build). */
  public long skipped;

  /** Processes where the action failed. */
  public long failed;
}
