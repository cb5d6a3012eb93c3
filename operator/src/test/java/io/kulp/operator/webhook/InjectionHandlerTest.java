package io.kulp.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A pod whose namespace cannot be read is not injected: its opt-out and Pod Security level are unknown. */
class InjectionHandlerTest {
  private final PodInjector injector = new PodInjector(new InjectionPolicy(Set.of("kulp-system")), "kulp-runtime:1");

  @Test
  void aPodThatAsksForTheRuntimeInANamespaceThatCannotBeReadIsOnlyAnnotated() {
    InjectionHandler handler = new InjectionHandler(injector, ns -> {
      throw new IllegalStateException("forbidden");
    });

    String patch = patchOf(handler.handle(create(Map.of("kulp.io/inject", "enabled"))));

    assertThat(patch).contains("kulp.io/inject-skipped").contains("the labels of namespace shop could not be read")
        .doesNotContain("initContainers").doesNotContain("LD_PRELOAD");
  }

  @Test
  void aPodThatAsksForTheRuntimeInAReadableNamespaceIsInjected() {
    InjectionHandler handler = new InjectionHandler(injector, ns -> Map.of());

    assertThat(patchOf(handler.handle(create(Map.of("kulp.io/inject", "enabled"))))).contains("initContainers")
        .contains("LD_PRELOAD");
  }

  private static AdmissionRequest create(Map<String, String> labels) {
    Pod pod = new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("debian:12").endContainer().endSpec().build();
    AdmissionRequest request = new AdmissionRequest();
    request.setUid("uid-1");
    request.setOperation("CREATE");
    request.setNamespace("shop");
    request.setObject(pod);
    return request;
  }

  private static String patchOf(AdmissionResponse response) {
    assertThat(response.getAllowed()).isTrue();
    return response.getPatch() == null ? ""
        : new String(Base64.getDecoder().decode(response.getPatch()), StandardCharsets.UTF_8);
  }
}
