package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Process counts summed over the targeted nodes' LivePatchNode status summaries. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcessCounts {

  @JsonPropertyDescription("Processes in the desired state: Applied for action Apply, Reverted "
      + "for Revert/RevertAll.")
  public long patched;

  @JsonPropertyDescription("Processes left alone on purpose (for example: the library is not "
      + "loaded, another build).")
  public long skipped;

  @JsonPropertyDescription("Processes where the action failed.")
  public long failed;
}
