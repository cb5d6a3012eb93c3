package io.kulp.agent.work;

import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.api.v1alpha1.TargetPod;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a finished pass means for the node. A process that failed in a pod whose failures count
 * fails the node; one that failed in a pod marked {@code countFailures: false} (its namespace is
 * outside the LivePatch's failure policy, because its owner could make it fail on purpose) is
 * reported Failed in its record and named in the node's message, and the node still succeeds.
 * That holds for an apply only: a revert that failed anywhere leaves the patch running there, which
 * the node's failure must say (the operator then reports it not reverted).
 *
 * @param phase Succeeded or Failed
 * @param message the pass's note, with the failures that do not count, or null
 */
record NodeVerdict(NodePhase phase, String message) {

  static NodeVerdict of(Action action, Collection<ProcessReport> reports, List<TargetPod> targets, String note) {
    Set<String> uncounted = action != Action.Apply ? Set.of() : targets.stream()
        .filter(p -> Boolean.FALSE.equals(p.countFailures))
        .map(p -> p.namespace + "/" + p.name).collect(Collectors.toSet());
    List<ProcessTarget> failed = reports.stream().filter(r -> r.result() == ProcessResult.Failed)
        .map(ProcessReport::target).toList();
    List<ProcessTarget> notCounted = failed.stream()
        .filter(t -> uncounted.contains(t.namespace() + "/" + t.pod())).toList();
    NodePhase phase = failed.size() > notCounted.size() ? NodePhase.Failed : NodePhase.Succeeded;
    if (notCounted.isEmpty()) {
      return new NodeVerdict(phase, note);
    }
    Set<String> namespaces = notCounted.stream().map(ProcessTarget::namespace)
        .collect(Collectors.toCollection(TreeSet::new));
    String tolerated = notCounted.size() + " process(es) failed in namespaces the failure policy"
        + " does not count (" + String.join(", ", namespaces) + ")";
    return new NodeVerdict(phase, note == null ? tolerated : note + "; " + tolerated);
  }
}
