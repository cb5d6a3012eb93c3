package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.operator.livepatch.ConditionTransitions.Transition;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionTransitionsTest {

  @Test
  void aNewLivePatchAnnouncesOnlyTheConditionsThatAreTrue() {
    var after = List.of(c("Ready", "False", "RollingOut", "rolling out"),
        c("Progressing", "True", "RollingOut", "rolling out"),
        c("Degraded", "False", "NoFailures", ""),
        c("Reconciling", "True", "RollingOut", "rolling out"));

    assertThat(ConditionTransitions.between(null, after, "status message"))
        .containsExactly(
            new Transition(false, "RollingOut", "Progressing=True (RollingOut): rolling out"),
            new Transition(false, "RollingOut", "Reconciling=True (RollingOut): rolling out"));
  }

  @Test
  void anUnchangedStatusIsNoTransitionEvenWhenReasonOrMessageChanged() {
    var before = List.of(c("Progressing", "True", "RollingOut", "1/3 nodes done"));
    var after = List.of(c("Progressing", "True", "RollingOut", "2/3 nodes done"));

    assertThat(ConditionTransitions.between(before, after, "x")).isEmpty();
  }

  @Test
  void aConditionWithoutMessageIsAnnouncedWithTheStatusMessage() {
    var before = List.of(c("Degraded", "True", "NodesFailed", "n1: failed"));
    var after = List.of(c("Degraded", "False", "NoFailures", ""));

    assertThat(ConditionTransitions.between(before, after, "complete: 3/3 nodes done"))
        .containsExactly(new Transition(false, "NoFailures",
            "Degraded=False (NoFailures): complete: 3/3 nodes done"));
  }

  @Test
  void degradedAndStalledBecomingTrueAreWarnings() {
    var before = List.of(c("Degraded", "False", "NoFailures", ""),
        c("Stalled", "False", "RollingOut", "m"), c("Ready", "False", "RollingOut", "m"));
    var after = List.of(c("Degraded", "True", "NodesFailed", "n1: boom"),
        c("Stalled", "True", "FailurePolicyPause", "halted"),
        c("Ready", "False", "FailurePolicyPause", "halted"));

    assertThat(ConditionTransitions.between(before, after, "m"))
        .extracting(Transition::warning, Transition::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(true, KulpConstants.REASON_NODES_FAILED),
            org.assertj.core.groups.Tuple.tuple(true, KulpConstants.REASON_FAILURE_POLICY_PAUSE));
  }

  private static Condition c(String type, String status, String reason, String message) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).build();
  }
}
