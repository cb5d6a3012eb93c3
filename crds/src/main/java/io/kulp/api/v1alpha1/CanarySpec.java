package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A canary: the rollout first works on {@code nodes} nodes only and, once they are all done,
 * pauses before the rest. Each new rollout (a new patch digest, action or library) starts with a
 * canary again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanarySpec {

  @JsonPropertyDescription("How many nodes form the canary. Required, at least 1.")
  @Required
  @Min(1)
  public Integer nodes;

  @JsonPropertyDescription("How long to pause after the canary nodes are done: \"Indefinite\" "
      + "(the default) waits until an admin resumes by changing this field to a duration, for "
      + "example \"0s\"; a duration such as \"90s\", \"10m\" or \"1h30m\" resumes by itself once "
      + "that time has passed since the canary finished.")
  @Default("Indefinite")
  @ValidationRule(value = "self == 'Indefinite' || self.matches('^([0-9]+h)?([0-9]+m)?([0-9]+s)?$') && self != ''",
      message = "pause must be Indefinite or a duration such as 30s, 10m or 1h30m")
  public String pause;
}
