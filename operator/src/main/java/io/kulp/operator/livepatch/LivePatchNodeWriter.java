package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kulp.api.KulpConstants;
import io.kulp.api.LabelValues;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import java.time.Instant;
import java.util.Map;

/**
 * Writes the spec half of LivePatchNodes with server-side apply (field manager kulp-operator;
 * the status half belongs to the agents), and deletes them. Each write is also put into the
 * informer's cache so that the next planning step sees it even before the watch event arrives.
 */
final class LivePatchNodeWriter {

  private final KubernetesClient client;
  private final InformerEventSource<LivePatchNode, LivePatch> cache;

  LivePatchNodeWriter(KubernetesClient client, InformerEventSource<LivePatchNode, LivePatch> cache) {
    this.client = client;
    this.cache = cache;
  }

  /**
   * Applies {@code spec}, started at {@code now}; {@code previous} is the LivePatchNode as cached,
   * or null.
   */
  void write(LivePatch owner, LivePatchNodeSpec spec, String digest, LivePatchNode previous,
      Instant now) {
    String lp = owner.getMetadata().getName();
    LivePatchNode lpn = new LivePatchNode();
    lpn.setMetadata(new ObjectMetaBuilder()
        .withName(LivePatchNodeNames.objectName(lp, spec.nodeName))
        .withLabels(Map.of(
            KulpConstants.LABEL_LIVEPATCH, LabelValues.of(lp),
            KulpConstants.LABEL_NODE, LabelValues.of(spec.nodeName)))
        .withAnnotations(Map.of(KulpConstants.ANNOTATION_ROLLOUT_DIGEST, digest,
            KulpConstants.ANNOTATION_STARTED_AT, now.toString()))
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
            .withName(lp).withUid(owner.getMetadata().getUid())
            .withController(true).build())
        .build());
    lpn.setSpec(spec);
    LivePatchNode written = client.resource(lpn)
        .fieldManager(KulpConstants.FIELD_MANAGER_OPERATOR).forceConflicts().serverSideApply();
    ResourceID id = ResourceID.fromResource(owner);
    if (previous == null) {
      cache.handleRecentResourceCreate(id, written);
    } else {
      cache.handleRecentResourceUpdate(id, written, previous);
    }
  }

  void delete(LivePatchNode lpn) {
    client.resource(lpn).withTimeout(0, java.util.concurrent.TimeUnit.SECONDS).delete();
  }
}
