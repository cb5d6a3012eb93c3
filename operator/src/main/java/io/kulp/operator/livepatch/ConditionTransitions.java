package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Condition;
import io.kulp.api.KulpConstants;
import java.util.ArrayList;
import java.util.List;

/**
 * The condition transitions between the status a write replaced and the status it wrote, as the
 * Events that announce them. Pure.
 *
 * <p>A transition is a condition whose status differs from its status in the replaced status. A
 * condition that was absent (a new LivePatch, or a condition type an older operator did not
 * write) reads as not True, as kstatus reads it: it is a transition only when it appears True. So
 * a new LivePatch announces what is true of it (Progressing, Reconciling), not the five things
 * that are not.
 */
final class ConditionTransitions {

  /**
   * One Event.
   *
   * @param warning type Warning (Degraded or Stalled became True), else Normal
   * @param reason the condition's reason
   * @param message {@code Type=Status (Reason): text}, text being the condition's message or,
   *     when that is empty, {@code fallback}
   */
  record Transition(boolean warning, String reason, String message) {}

  private ConditionTransitions() {}

  /**
   * The transitions from {@code before} (the persisted conditions the write replaced; null or
   * empty for none) to {@code after}, in the order of {@code after}. {@code fallback} is the text
   * of a condition without a message of its own (the status message).
   */
  static List<Transition> between(List<Condition> before, List<Condition> after, String fallback) {
    List<Transition> out = new ArrayList<>();
    for (Condition c : after) {
      String was = Conditions.find(before, c.getType()).map(Condition::getStatus).orElse(null);
      boolean changed = was == null ? "True".equals(c.getStatus()) : !was.equals(c.getStatus());
      if (!changed) {
        continue;
      }
      String text = c.getMessage() == null || c.getMessage().isBlank() ? fallback : c.getMessage();
      boolean warning = "True".equals(c.getStatus())
          && (KulpConstants.CONDITION_DEGRADED.equals(c.getType())
              || KulpConstants.CONDITION_STALLED.equals(c.getType()));
      out.add(new Transition(warning, c.getReason(),
          c.getType() + "=" + c.getStatus() + " (" + c.getReason() + "): " + text));
    }
    return out;
  }
}
