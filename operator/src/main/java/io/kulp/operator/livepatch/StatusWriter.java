package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchStatus;
import java.net.HttpURLConnection;
import java.util.Optional;

/**
 * Writes a LivePatch's status (server-side apply of the status subresource, the controller's
 * field manager) on the condition that the LivePatch is still at the resourceVersion it was read
 * at. The status it replaces is then exactly the one that was read, so what changed between the
 * two, the condition transitions the Events announce, is what changed in the API server, even when
 * the read came from a cache that had not yet delivered this operator's previous write. The
 * written object is put into the controller's cache, so the next reconcile sees it.
 */
final class StatusWriter {

  private StatusWriter() {}

  /**
   * Writes {@code status} over the status of {@code read}: the LivePatch as written, or empty
   * when it changed since it was read (409 Conflict; its new version's event reconciles it again).
   */
  static Optional<LivePatch> write(LivePatch read, LivePatchStatus status, Context<LivePatch> context) {
    LivePatch desired = new LivePatch();
    desired.setMetadata(new ObjectMetaBuilder().withName(read.getMetadata().getName())
        .withResourceVersion(read.getMetadata().getResourceVersion()).build());
    desired.setStatus(status);
    LivePatch written;
    try {
      written = context.getClient().resource(desired).subresource("status")
          .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
              .withFieldManager(context.getControllerConfiguration().fieldManager())
              .withForce(true).build());
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Optional.empty();
      }
      throw e;
    }
    context.eventSourceRetriever().getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(read), written, read);
    return Optional.of(written);
  }
}
