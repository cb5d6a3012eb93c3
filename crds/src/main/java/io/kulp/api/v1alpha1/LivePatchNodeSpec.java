package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * Desired state of one node for one LivePatch. Written only by the operator; every change bumps
 * metadata.generation, and the agent reports against that generation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LivePatchNodeSpec {

  @JsonPropertyDescription("Name of the LivePatch this object belongs to. Required.")
  @Required
  public String livePatch;

  @JsonPropertyDescription("Name of the node whose agent acts on this object. Required.")
  @Required
  public String nodeName;

  @JsonPropertyDescription("What the agent must achieve in every target process: Apply this "
      + "patch, Revert this patch, or RevertAll kulp patches of library. Copied from the "
      + "LivePatch, except that the operator sets Revert when the LivePatch is deleted or rolled "
      + "back. Required.")
  @Required
  public Action action;

  @JsonPropertyDescription("OneShot or Continuous, copied from the LivePatch (see Mode). "
      + "Required.")
  @Required
  public Mode mode;

  @JsonPropertyDescription("The library, copied from the LivePatch. Present for RevertAll; "
      + "optional otherwise.")
  public LibrarySpec library;

  @JsonPropertyDescription("The patch source and its sha256, copied from the LivePatch. Absent "
      + "for RevertAll.")
  public PatchSource patch;

  @JsonPropertyDescription("The pods on this node whose containers are targeted, resolved by the "
      + "operator from the LivePatch's selectors, sorted by namespace and name. The agent acts on "
      + "every process of each listed container and on nothing else.")
  public List<TargetPod> targets = new ArrayList<>();

  @JsonPropertyDescription("The LivePatch's spec.rollout.retry with which the operator started "
      + "this node again after it failed; absent until then. The agent needs nothing from it: the "
      + "new generation is what makes it act again.")
  public String retry;
}
