package io.kulp.operator.livepatch;

import static io.kulp.operator.livepatch.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.CanarySpec;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.OnFailure;
import org.junit.jupiter.api.Test;

class LivePatchValidatorTest {

  final LivePatchValidator validator = new LivePatchValidator();

  @Test
  void aCompleteSpecIsValid() {
    assertThat(validator.validate(spec())).isEmpty();
  }

  @Test
  void reportsWhatTheServerCouldNotCheck() {
    var spec = spec();
    spec.target.podSelector = new LabelSelectorBuilder().addNewMatchExpression().withKey("a")
        .withOperator("Near").endMatchExpression().build();
    spec.rollout.canary = new CanarySpec();
    spec.rollout.canary.pause = "5 minutes";
    spec.rollout.maxConcurrentNodes = new IntOrString("0%");

    assertThat(validator.validate(spec)).containsExactly(
        "spec.target.podSelector: unknown operator Near",
        "spec.rollout.canary.pause: not a duration: 5 minutes",
        "spec.rollout.maxConcurrentNodes: not a percentage: 0%");
  }

  @Test
  void reChecksTheInvariantsTheOperatorReliesOn() {
    var revertAll = spec();
    revertAll.action = Action.RevertAll;
    assertThat(validator.validate(revertAll)).containsExactly("spec.action RevertAll needs spec.library.name");

    var twoSources = spec();
    twoSources.patch.configMapRef = new io.kulp.api.v1alpha1.ConfigMapKeyReference();
    assertThat(validator.validate(twoSources))
        .containsExactly("exactly one patch source must be set: configMapRef or url");
  }

  @Test
  void reChecksTheNodeTimeoutItParsesAndFallsBackToTheDefaultMeanwhile() {
    var words = spec();
    words.rollout = new io.kulp.api.v1alpha1.RolloutSpec();
    words.rollout.nodeTimeout = "ten minutes";
    assertThat(validator.validate(words)).containsExactly("spec.rollout.nodeTimeout: not a duration: ten minutes");
    var zero = spec();
    zero.rollout = new io.kulp.api.v1alpha1.RolloutSpec();
    zero.rollout.nodeTimeout = "0s";
    assertThat(validator.validate(zero)).containsExactly("spec.rollout.nodeTimeout: must be at least 1s");
    assertThat(Specs.nodeTimeout(words.rollout)).as("a deletion still ends").hasMinutes(10);
    assertThat(Specs.nodeTimeout(null)).hasMinutes(10);
  }

  @Test
  void aRollbackEverywhereNeedsTheNamespacesWhoseFailuresItBelieves() {
    var spec = spec();
    spec.rollout.failurePolicy = new FailurePolicy();
    spec.rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
    assertThat(validator.validate(spec)).singleElement().asString()
        .startsWith("spec.rollout.failurePolicy: onFailure RevertCompleted needs namespaceSelector");

    spec.rollout.failurePolicy.namespaceSelector = new LabelSelectorBuilder()
        .addToMatchLabels("kubernetes.io/metadata.name", "platform").build();
    assertThat(validator.validate(spec)).isEmpty();
  }
}
