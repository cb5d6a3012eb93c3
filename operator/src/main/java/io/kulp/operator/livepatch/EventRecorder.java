package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.api.v1alpha1.LivePatch;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about a LivePatch (cluster-scoped, so the Events go to the operator's
 * namespace). Best effort: a failure to record an Event is logged, never fails a reconcile.
 */
public final class EventRecorder {

  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  public void normal(LivePatch lp, String reason, String message) {
    emit(lp, "Normal", reason, message);
  }

  public void warning(LivePatch lp, String reason, String message) {
    emit(lp, "Warning", reason, message);
  }

  private void emit(LivePatch lp, String type, String reason, String message) {
    String now = clock.instant().toString();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
    var event = new EventBuilder()
        .withNewMetadata().withGenerateName(lp.getMetadata().getName() + ".")
        .withNamespace(namespace).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(lp.getApiVersion())
            .withKind(lp.getKind()).withName(lp.getMetadata().getName())
            .withUid(lp.getMetadata().getUid()).build())
        .withType(type).withReason(reason).withMessage(text)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent("kulp-operator").endSource()
        .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      log.warn("could not record event {} for LivePatch {}: {}", reason, lp.getMetadata().getName(),
          e.getMessage());
    }
  }
}
