package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Desired state of a {@link LivePatch}. Written by users; never by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.action == 'RevertAll' || has(self.patch)",
    message = "spec.patch is required unless spec.action is RevertAll")
@ValidationRule(value = "self.action != 'RevertAll' || (has(self.library) && self.library.name != '')",
    message = "spec.action RevertAll needs spec.library.name")
public class LivePatchSpec {

  @JsonPropertyDescription("Which processes: pods by namespace and labels, their containers, and "
      + "their nodes. Required.")
  @Required
  public TargetSpec target;

  @JsonPropertyDescription("The library the patch applies to. Optional for Apply and Revert (the "
      + "patch names its library); required for RevertAll.")
  public LibrarySpec library;

  @JsonPropertyDescription("Where the patch comes from and its digest. Required unless action is "
      + "RevertAll.")
  public PatchSource patch;

  @JsonPropertyDescription("Apply: load the patch into every targeted process. Revert: undo this "
      + "patch. RevertAll: undo every kulp patch of library in the targeted processes, whoever "
      + "applied it. Default Apply.")
  @Default("Apply")
  public Action action;

  @JsonPropertyDescription("OneShot: patch the processes running while the rollout runs. "
      + "Continuous: also patch processes and pods that start later, for as long as the LivePatch "
      + "exists. Default OneShot.")
  @Default("OneShot")
  public Mode mode;

  @JsonPropertyDescription("How fast nodes are worked on, and what happens on failure. Optional; "
      + "see the defaults.")
  public RolloutSpec rollout;
}
