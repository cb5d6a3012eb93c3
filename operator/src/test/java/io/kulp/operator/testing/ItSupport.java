package io.kulp.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.v1alpha1.LivePatch;
import java.time.Duration;
import java.util.Objects;

/** Reading a LivePatch's conditions in ITs. */
public final class ItSupport {

  private ItSupport() {}

  public static LivePatch get(KubernetesClient client, String name) {
    return client.resources(LivePatch.class).withName(name).get();
  }

  public static Condition condition(KubernetesClient client, String name, String type) {
    LivePatch lp = get(client, name);
    if (lp == null || lp.getStatus() == null) {
      return null;
    }
    return lp.getStatus().conditions.stream().filter(c -> Objects.equals(type, c.getType()))
        .findFirst().orElse(null);
  }

  public static void awaitCondition(KubernetesClient client, String name, String type,
      String status, String reason) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Condition c = condition(client, name, type);
      assertThat(c).as("condition %s of %s", type, name).isNotNull();
      assertThat(c.getStatus()).as("%s status (%s)", type, c.getMessage()).isEqualTo(status);
      if (reason != null) {
        assertThat(c.getReason()).isEqualTo(reason);
      }
    });
  }

  /** "True", "False", or null when the condition is not there yet. */
  public static String conditionStatus(KubernetesClient client, String name, String type) {
    Condition c = condition(client, name, type);
    return c == null ? null : c.getStatus();
  }
}
