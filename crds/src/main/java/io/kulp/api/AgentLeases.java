package io.kulp.api;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How a node agent announces that it is alive, and how the operator reads it: one
 * {@code coordination.k8s.io} Lease per node, in the agents' namespace, renewed by the agent as
 * the kubelet renews its node lease. Both sides apply these rules, so they live here.
 *
 * <p>The Lease is named {@code kulp-agent-<node>}, or {@code kulp-agent-h<hash>} when that would
 * be longer than 253 characters, labelled {@link KulpConstants#LABEL_COMPONENT}=agent and
 * {@link KulpConstants#LABEL_NODE}, annotated {@link KulpConstants#ANNOTATION_NODE_NAME} with the
 * full node name; {@code holderIdentity} is the agent's pod. It is live while
 * {@code renewTime + leaseDurationSeconds} has not passed.
 */
public final class AgentLeases {

  /** Prefix of every agent Lease name. */
  public static final String NAME_PREFIX = "kulp-agent-";
  /** Value of {@link KulpConstants#LABEL_COMPONENT} on agent Leases (and agent pods). */
  public static final String COMPONENT = "agent";
  /** Default leaseDurationSeconds, the kubelet's node lease duration. */
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(40);

  private static final int MAX_NAME = 253;

  private AgentLeases() {}

  /** The name of the Lease of the agent of {@code node}. */
  public static String name(String node) {
    String plain = NAME_PREFIX + node;
    return plain.length() <= MAX_NAME ? plain
        : NAME_PREFIX + "h" + Sha256.ofText(node).substring(0, LabelValues.HASH_DIGITS);
  }

  /** How often an agent renews a Lease of this duration: a quarter of it, as the kubelet. */
  public static Duration renewInterval(Duration leaseDuration) {
    return leaseDuration.dividedBy(4);
  }

  /**
   * True when {@code lease} says that the agent of {@code node} is alive at {@code now}: it names
   * that node, has a holder, and was renewed less than its duration ago. A renewTime in the future
   * (the agent's clock ahead) counts as it is up to the duration ahead, so a skew costs at most one
   * duration more; further ahead, the agent is taken for gone (its node is skipped, saying so).
   */
  public static boolean isLive(Lease lease, String node, Instant now) {
    if (lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null
        || lease.getSpec().getLeaseDurationSeconds() == null
        || lease.getSpec().getHolderIdentity() == null || lease.getSpec().getHolderIdentity().isEmpty()) {
      return false;
    }
    Map<String, String> annotations = lease.getMetadata().getAnnotations();
    if (annotations == null || !node.equals(annotations.get(KulpConstants.ANNOTATION_NODE_NAME))) {
      return false;
    }
    Instant renewed = lease.getSpec().getRenewTime().toInstant();
    long duration = lease.getSpec().getLeaseDurationSeconds();
    if (renewed.isAfter(now.plusSeconds(duration))) {
      return false; // a clock that far ahead would keep a dead agent live for as long: take it for gone
    }
    return !now.isAfter(renewed.plusSeconds(lease.getSpec().getLeaseDurationSeconds()));
  }

  /**
   * The nodes whose agent is alive at {@code now} according to {@code leases}: each Lease counts
   * for the node its {@link KulpConstants#ANNOTATION_NODE_NAME} names, and only if it bears that
   * node's Lease name (so that a Lease cannot speak for another node under another name).
   */
  public static Set<String> liveNodes(Stream<Lease> leases, Instant now) {
    return leases.map(l -> {
      Map<String, String> annotations = l.getMetadata().getAnnotations();
      String node = annotations == null ? null : annotations.get(KulpConstants.ANNOTATION_NODE_NAME);
      return node != null && name(node).equals(l.getMetadata().getName()) && isLive(l, node, now)
          ? node : null;
    }).filter(Objects::nonNull).collect(Collectors.toSet());
  }

  /** A Lease time (a MicroTime on the wire) for the instant {@code t}. */
  public static ZonedDateTime microTime(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
  }
}
