package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Builds kstatus-style conditions, keeping lastTransitionTime while the status is unchanged. */
final class Conditions {

  private Conditions() {}

  static Condition condition(List<Condition> previous, String type, boolean status, String reason,
      String message, Long generation, Instant now) {
    String value = status ? "True" : "False";
    String since = find(previous, type)
        .filter(c -> value.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .orElse(now.toString());
    return new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(since)
        .build();
  }

  static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
  }

  static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
