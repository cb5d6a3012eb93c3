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
 * The work of one {@link LivePatch} on one node, cluster-scoped, owned by its LivePatch and
 * labelled {@code kulp.io/livepatch} and {@code kulp.io/node}. The operator alone writes its spec
 * (desired state); the agent of that node alone writes its status (observed state). The contract
 * between them is in docs/api.md.
 */
@Group(KulpConstants.GROUP)
@Version(KulpConstants.VERSION)
@Kind("LivePatchNode")
// Named rather than derived, as LivePatch's (the reason is there).
@Plural("livepatchnodes")
@Singular("livepatchnode")
@ShortNames("lpn")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeName", type = Type.STRING)
@AdditionalPrinterColumn(name = "Action", jsonPath = ".spec.action", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.summary.applied", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.summary.failed", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class LivePatchNode extends CustomResource<LivePatchNodeSpec, LivePatchNodeStatus> {
}
