package io.kulp.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.kulp.api.KulpConstants;

/**
 * A live patch to roll out, cluster-scoped: which processes (by pod, container and node), which
 * library, which patch, and how fast. The operator fans it out into one {@link LivePatchNode} per
 * targeted node and aggregates their status into {@link LivePatchStatus}.
 */
@Group(KulpConstants.GROUP)
@Version(KulpConstants.VERSION)
@Kind("LivePatch")
// Named rather than derived: fabric8 otherwise derives them with regular expressions in the
// constructor of every object it reads (each watch event, each response), a measurable part of
// the operator's CPU at fleet scale (docs/benchmarks.md). CrdNamesTest holds them to the derived ones.
@Plural("livepatches")
@Singular("livepatch")
@ShortNames("lp")
@AdditionalPrinterColumn(name = "Action", jsonPath = ".spec.action", type = Type.STRING)
@AdditionalPrinterColumn(name = "Library", jsonPath = ".spec.library.name", type = Type.STRING)
// Ready's reason tells the situations apart: RollingOut, Paused, CanaryPause, FailurePolicyPause
// (halted), RolledBack, AllNodesDone, NodesFailed, NodesSkipped, InvalidSpec.
@AdditionalPrinterColumn(name = "Status",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = Type.STRING)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.nodesDone", type = Type.STRING)
@AdditionalPrinterColumn(name = "Patched", jsonPath = ".status.processes.patched", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.processes.failed", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Complete",
    jsonPath = ".status.conditions[?(@.type==\"Complete\")].status", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class LivePatch extends CustomResource<LivePatchSpec, LivePatchStatus> {
}
