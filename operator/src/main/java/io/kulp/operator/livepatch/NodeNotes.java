package io.kulp.operator.livepatch;

import java.time.Duration;

/** The words the status and Events use for a node the operator could not work on. */
final class NodeNotes {

  private NodeNotes() {}

  /** A node skipped, or not reverted, because no kulp agent is alive there. */
  static final String NO_AGENT = "no kulp agent on node";

  /** A started node that gave no final report within {@code timeout}. */
  static String timedOut(Duration timeout) {
    return "did not finish within nodeTimeout (" + timeout.toString().substring(2).toLowerCase()
        + ")";
  }

  /** Up to {@code max} names, then how many more. */
  static String names(java.util.List<String> names, int max) {
    String shown = String.join(", ", names.subList(0, Math.min(max, names.size())));
    return names.size() > max ? shown + " and " + (names.size() - max) + " more" : shown;
  }
}
