package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.api.v1alpha1.LivePatch;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about a LivePatch. Best effort: a failure to record an Event is logged,
 * never fails a reconcile.
 *
 * <p>An Event lives in the namespace of the object it is about. For a cluster-scoped object
 * (empty {@code involvedObject.namespace}) the API server accepts only the namespace
 * {@code default}: core/v1 validation allows "" or "default", events.k8s.io/v1 "default" or
 * "kube-system" (kube-apiserver {@code ValidateEventCreate}); anything else, such as the
 * operator's own namespace, is rejected with 422. client-go's recorders use {@code default}
 * too, and {@code kubectl describe lp/NAME} finds them there.
 */
public final class EventRecorder {

  /** Where Events about cluster-scoped objects go. */
  static final String CLUSTER_SCOPED_EVENT_NAMESPACE = "default";
  static final String COMPONENT = "kulp-operator";

  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(LivePatch lp, String reason, String message) {
    emit(lp, "Normal", reason, message);
  }

  public void warning(LivePatch lp, String reason, String message) {
    emit(lp, "Warning", reason, message);
  }

  /** The namespace the API server accepts an Event about {@code involved} in. */
  static String eventNamespace(HasMetadata involved) {
    String ns = involved.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? CLUSTER_SCOPED_EVENT_NAMESPACE : ns;
  }

  private void emit(HasMetadata involved, String type, String reason, String message) {
    String now = clock.instant().toString();
    String namespace = eventNamespace(involved);
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
    var event = new EventBuilder()
        .withNewMetadata().withGenerateName(involved.getMetadata().getName() + ".")
        .withNamespace(namespace).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(involved.getApiVersion())
            .withKind(involved.getKind()).withName(involved.getMetadata().getName())
            .withNamespace(involved.getMetadata().getNamespace())
            .withUid(involved.getMetadata().getUid()).build())
        .withType(type).withReason(reason).withMessage(text)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      log.warn("could not record event {} for {} {}: {}", reason, involved.getKind(),
          involved.getMetadata().getName(), e.getMessage());
    }
  }
}
