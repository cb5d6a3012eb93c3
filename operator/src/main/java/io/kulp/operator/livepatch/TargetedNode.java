package io.kulp.operator.livepatch;

import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;

/**
 * One node a rollout targets, as it stands before a planning step's writes.
 *
 * @param name the node's name
 * @param wanted the LivePatchNode spec the node must hold in this rollout (what it is started with)
 * @param livePatchNode its existing LivePatchNode of this LivePatch, or null
 * @param progress where {@code livePatchNode} stands against {@code wanted}
 */
public record TargetedNode(String name, LivePatchNodeSpec wanted, LivePatchNode livePatchNode,
    NodeProgress progress) {}
