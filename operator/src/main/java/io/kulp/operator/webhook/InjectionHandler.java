package io.kulp.operator.webhook;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.javaoperatorsdk.webhook.admission.AdmissionRequestHandler;
import io.javaoperatorsdk.webhook.admission.Operation;
import io.javaoperatorsdk.webhook.admission.mutation.DefaultAdmissionRequestMutator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** {@code namespaceLabels}: a namespace's labels; it throws when they cannot be read. */
  InjectionHandler(PodInjector injector, Function<String, Map<String, String>> namespaceLabels) {
    this.injector = injector;
    this.namespaceLabels = namespaceLabels;
  }

  @Override
  public AdmissionResponse handle(AdmissionRequest request) {
    String namespace = request.getNamespace();
    return new DefaultAdmissionRequestMutator<Pod>((pod, operation) -> {
      if (operation == Operation.CREATE) {
        Optional<Map<String, String>> labels = labelsOf(namespace);
        if (labels.isPresent()) {
          injector.inject(pod, namespace, labels.get());
        } else if (injector.optedInByPod(pod)) {
          // Without them, neither the namespace's opt-out nor its Pod Security level is known.
          RuntimeInjection.skip(pod, List.of("the labels of namespace " + namespace + " could not be read"));
        }
      }
      return pod;
    }).handle(request);
  }

  private Optional<Map<String, String>> labelsOf(String namespace) {
    try {
      Map<String, String> labels = namespaceLabels.apply(namespace);
      return Optional.of(labels == null ? Map.of() : labels);
    } catch (RuntimeException e) {
      LOG.warn("cannot read the labels of namespace {}: nothing is injected into its pods ({})", namespace,
          e.toString());
      return Optional.empty();
    }
  }
}
