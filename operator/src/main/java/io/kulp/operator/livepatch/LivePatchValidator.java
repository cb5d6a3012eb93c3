package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.api.v1alpha1.LivePatchSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a LivePatch spec for what the CRD's schema and CEL rules do not cover (and re-checks the
 * invariants the operator relies on, in case an older CRD is installed). Empty list: valid.
 */
public final class LivePatchValidator {

  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  public List<String> validate(LivePatchSpec spec) {
    List<String> errors = new ArrayList<>();
    if (spec == null || spec.target == null) {
      errors.add("spec.target is required");
      return errors;
    }
    selector("spec.target.namespaceSelector", spec.target.namespaceSelector, errors);
    selector("spec.target.podSelector", spec.target.podSelector, errors);
    FailurePolicy failure = spec.rollout == null ? null : spec.rollout.failurePolicy;
    if (failure != null) {
      selector("spec.rollout.failurePolicy.namespaceSelector", failure.namespaceSelector, errors);
      if (failure.onFailure == OnFailure.RevertCompleted && failure.namespaceSelector == null) {
        errors.add("spec.rollout.failurePolicy: onFailure RevertCompleted needs namespaceSelector, the"
            + " namespaces whose process failures may roll the patch back on every node (a pod's"
            + " owner can make its own processes fail); {} trusts every namespace");
      }
    }
    Action action = Specs.action(spec);
    if (action != Action.RevertAll) {
      if (spec.patch == null || spec.patch.sha256 == null) {
        errors.add("spec.patch with sha256 is required unless spec.action is RevertAll");
      } else if ((spec.patch.url == null) == (spec.patch.configMapRef == null)) {
        errors.add("exactly one patch source must be set: configMapRef or url");
      }
    } else if (spec.library == null || spec.library.name == null || spec.library.name.isEmpty()) {
      errors.add("spec.action RevertAll needs spec.library.name");
    }
    if (spec.rollout != null && spec.rollout.canary != null && spec.rollout.canary.pause != null
        && !"Indefinite".equals(spec.rollout.canary.pause)) {
      try {
        RolloutPlanner.parseDuration(spec.rollout.canary.pause);
      } catch (RuntimeException e) {
        errors.add("spec.rollout.canary.pause: not a duration: " + spec.rollout.canary.pause);
      }
    }
    if (spec.rollout != null && spec.rollout.nodeTimeout != null) {
      try {
        if (RolloutPlanner.parseDuration(spec.rollout.nodeTimeout).isZero()) {
          errors.add("spec.rollout.nodeTimeout: must be at least 1s");
        }
      } catch (RuntimeException e) {
        errors.add("spec.rollout.nodeTimeout: not a duration: " + spec.rollout.nodeTimeout);
      }
    }
    if (spec.rollout != null && spec.rollout.maxConcurrentNodes != null
        && spec.rollout.maxConcurrentNodes.getStrVal() != null
        && !spec.rollout.maxConcurrentNodes.getStrVal().matches("([1-9][0-9]?|100)%")) {
      errors.add("spec.rollout.maxConcurrentNodes: not a percentage: "
          + spec.rollout.maxConcurrentNodes.getStrVal());
    }
    return errors;
  }

  /** The operators: the CRD's schema limits them too (an enum), but an older CRD may not. */
  private static void selector(String field, LabelSelector selector, List<String> errors) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return;
    }
    selector.getMatchExpressions().forEach(r -> {
      if (!OPERATORS.contains(r.getOperator())) {
        errors.add(field + ": unknown operator " + r.getOperator());
      }
    });
  }
}
