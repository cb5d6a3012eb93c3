package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Kubernetes label selector semantics (matchLabels AND matchExpressions). */
final class LabelSelectors {

  private LabelSelectors() {}

  /** True when {@code labels} match; an absent or empty selector matches everything. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector == null) {
      return true;
    }
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(have.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, have)) {
          return false;
        }
      }
    }
    return true;
  }

  /** True when every entry of {@code required} is in {@code labels}. */
  static boolean matchesAll(Map<String, String> required, Map<String, String> labels) {
    Map<String, String> have = labels == null ? Map.of() : labels;
    return required == null
        || required.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    String value = labels.get(r.getKey());
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      default -> throw new IllegalArgumentException("unknown selector operator " + r.getOperator());
    };
  }

  /** Labels that must all match (a nodeSelector) as a {@code labelSelector} parameter. */
  static String asQuery(Map<String, String> matchLabels) {
    return matchLabels == null ? "" : asQuery(new LabelSelector(null, matchLabels));
  }

  /** {@code selector} as the API server's {@code labelSelector} parameter; empty for none. */
  static String asQuery(LabelSelector selector) {
    if (selector == null) {
      return "";
    }
    List<String> terms = new ArrayList<>();
    if (selector.getMatchLabels() != null) {
      selector.getMatchLabels().forEach((k, v) -> terms.add(k + "=" + v));
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String values = r.getValues() == null ? "" : String.join(",", r.getValues());
        terms.add(switch (r.getOperator()) {
          case "In" -> r.getKey() + " in (" + values + ")";
          case "NotIn" -> r.getKey() + " notin (" + values + ")";
          case "Exists" -> r.getKey();
          case "DoesNotExist" -> "!" + r.getKey();
          default -> throw new IllegalArgumentException("unknown selector operator " + r.getOperator());
        });
      }
    }
    return String.join(",", terms);
  }
}
