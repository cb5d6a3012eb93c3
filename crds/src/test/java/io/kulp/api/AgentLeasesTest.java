package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentLeasesTest {

  private static final Instant T = Instant.parse("2026-01-01T10:00:00Z");

  private static Lease lease(String node, Instant renewed, int seconds, String holder) {
    return new LeaseBuilder().withNewMetadata().withName(AgentLeases.name(node))
        .withAnnotations(Map.of(KulpConstants.ANNOTATION_NODE_NAME, node)).endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds)
        .withRenewTime(AgentLeases.microTime(renewed)).endSpec().build();
  }

  @Test
  void aLeaseIsNamedAfterItsNodeAndHashedWhenTooLong() {
    assertThat(AgentLeases.name("worker-1")).isEqualTo("kulp-agent-worker-1");
    String longNode = "n".repeat(250);
    assertThat(AgentLeases.name(longNode)).startsWith("kulp-agent-h").hasSize(11 + 1 + 40)
        .isEqualTo(AgentLeases.name(longNode));
  }

  @Test
  void aLeaseIsLiveUntilItsDurationHasPassedSinceTheLastRenewal() {
    Lease l = lease("a", T, 40, "agent-pod");
    assertThat(AgentLeases.isLive(l, "a", T.plusSeconds(40))).isTrue();
    assertThat(AgentLeases.isLive(l, "a", T.plusSeconds(41))).isFalse();
    assertThat(AgentLeases.isLive(l, "a", T.minusSeconds(30))).as("renewed in the future: skew").isTrue();
    // A renewal stamped an hour ahead (a skewed clock) would keep a dead agent live for an hour.
    Lease ahead = lease("a", T.plusSeconds(3600), 40, "agent-pod");
    assertThat(AgentLeases.isLive(ahead, "a", T)).isFalse();
  }

  @Test
  void aLeaseForAnotherNodeWithoutHolderOrWithoutRenewalIsNotLive() {
    assertThat(AgentLeases.isLive(lease("a", T, 40, "p"), "b", T)).isFalse();
    assertThat(AgentLeases.isLive(lease("a", T, 40, ""), "a", T)).isFalse();
    Lease never = lease("a", T, 40, "p");
    never.getSpec().setRenewTime(null);
    assertThat(AgentLeases.isLive(never, "a", T)).isFalse();
    assertThat(AgentLeases.isLive(null, "a", T)).isFalse();
  }

  @Test
  void theLiveNodesAreThoseWhoseOwnLeaseIsLive() {
    Lease a = lease("a", T, 40, "pa");
    Lease expired = lease("b", T.minusSeconds(60), 40, "pb");
    Lease misnamed = lease("c", T, 40, "pc");
    misnamed.getMetadata().setName(AgentLeases.name("d"));

    assertThat(AgentLeases.liveNodes(java.util.stream.Stream.of(a, expired, misnamed), T))
        .containsExactly("a");
  }

  @Test
  void renewTimeIsAMicroTimeOfMicrosecondsAndTheRenewalAQuarterOfTheDuration() {
    assertThat(AgentLeases.microTime(Instant.parse("2026-01-01T10:00:00.123456789Z")))
        .hasToString("2026-01-01T10:00:00.123456Z");
    assertThat(AgentLeases.renewInterval(AgentLeases.DEFAULT_DURATION)).hasSeconds(10);
  }
}
