package io.kulp.operator.webhook;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.javaoperatorsdk.webhook.admission.AdmissionRequestHandler;
import io.javaoperatorsdk.webhook.admission.Operation;
import io.javaoperatorsdk.webhook.admission.mutation.DefaultAdmissionRequestMutator;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AdmissionReview side: the pod in the request goes through {@link PodInjector} with its
 * namespace's labels; the framework turns the difference into the response's JSON patch. The
 * request's namespace is used, because a pod created by a controller may not name its own yet.
 */
final class InjectionHandler implements AdmissionRequestHandler {
  private static final Logger LOG = LoggerFactory.getLogger(InjectionHandler.class);

  private final PodInjector injector;
  private final Function<String, Map<String, String>> namespaceLabels;

  /** {@code namespaceLabels}: a namespace's labels (empty when it cannot be read). */
  InjectionHandler(PodInjector injector, Function<String, Map<String, String>> namespaceLabels) {
    this.injector = injector;
    this.namespaceLabels = namespaceLabels;
  }

  @Override
  public AdmissionResponse handle(AdmissionRequest request) {
    String namespace = request.getNamespace();
    return new DefaultAdmissionRequestMutator<Pod>((pod, operation) -> {
      if (operation == Operation.CREATE) {
        injector.inject(pod, namespace, labelsOf(namespace));
      }
      return pod;
    }).handle(request);
  }

  private Map<String, String> labelsOf(String namespace) {
    try {
      Map<String, String> labels = namespaceLabels.apply(namespace);
      return labels == null ? Map.of() : labels;
    } catch (RuntimeException e) {
      LOG.warn("cannot read the labels of namespace {}: only pod labels decide ({})", namespace, e.toString());
      return Map.of();
    }
  }
}
