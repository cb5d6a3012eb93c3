package io.kulp.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.AgentLeases;
import io.kulp.api.KulpConstants;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent's Lease against a real kube-apiserver: created, renewed, taken over by a new pod. */
@EnableKubeAPIServer(apiServerFlags = {"--bind-address", "127.0.0.1"})
class AgentLeaseIT {

  static KubernetesClient client;
  static final String NAMESPACE = "kulp-system";

  @BeforeAll
  static void namespace() {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .endMetadata().build()).serverSideApply();
  }

  private static Lease lease(String node) {
    return client.resources(Lease.class).inNamespace(NAMESPACE).withName(AgentLeases.name(node)).get();
  }

  @Test
  void theAgentCreatesItsNodesLeaseAndRenewsItEveryQuarterOfItsDuration() {
    try (AgentLease agent = new AgentLease(client, NAMESPACE, "worker-1", "kulp-agent-abcde",
        Duration.ofSeconds(4), Clock.systemUTC())) {
      agent.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> lease("worker-1") != null);
      Lease first = lease("worker-1");
      assertThat(first.getSpec().getHolderIdentity()).isEqualTo("kulp-agent-abcde");
      assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(4);
      assertThat(first.getMetadata().getLabels())
          .containsEntry(KulpConstants.LABEL_COMPONENT, "agent").containsEntry(KulpConstants.LABEL_NODE, "worker-1");
      assertThat(AgentLeases.isLive(first, "worker-1", Instant.now())).isTrue();
      ZonedDateTime renewed = first.getSpec().getRenewTime();

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(lease("worker-1").getSpec().getRenewTime()).isAfter(renewed));
      assertThat(agent.lastRenewal()).isNotNull();
    }
  }

  @Test
  void aStoppedAgentsLeaseExpiresAndItsNextPodTakesItOver() {
    Instant stoppedAt;
    try (AgentLease agent = new AgentLease(client, NAMESPACE, "worker-2", "kulp-agent-old",
        Duration.ofSeconds(4), Clock.systemUTC())) {
      agent.renew();
      stoppedAt = Instant.now();
    }
    assertThat(AgentLeases.isLive(lease("worker-2"), "worker-2", stoppedAt.plusSeconds(5)))
        .as("nothing renews it").isFalse();

    try (AgentLease next = new AgentLease(client, NAMESPACE, "worker-2", "kulp-agent-new",
        Duration.ofSeconds(4), Clock.systemUTC())) {
      next.renew();
    }
    Lease taken = lease("worker-2");
    assertThat(taken.getSpec().getHolderIdentity()).isEqualTo("kulp-agent-new");
    assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(AgentLeases.isLive(taken, "worker-2", Instant.now())).isTrue();
  }
}
