package io.kulp.agent.kube;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.AgentLeases;
import io.kulp.api.KulpConstants;
import io.kulp.api.LabelValues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces that this agent is alive: the Lease of its node ({@link AgentLeases}), created or
 * taken over on start and renewed every quarter of its duration, as the kubelet renews its node
 * lease (get, then create or update; a failed write is tried again at the next tick). The
 * operator starts no work on a node whose Lease is not live. Needs get, create and update on
 * leases in its namespace, and the admission policy of deploy/rbac/agent-own-node.yaml lets it
 * write its own node's Lease only.
 */
public final class AgentLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLease.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final String holder;
  private final Duration duration;
  private final Clock clock;
  private final AtomicReference<Instant> lastRenewal = new AtomicReference<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kulp-agent-lease");
    t.setDaemon(true);
    return t;
  });

  public AgentLease(KubernetesClient client, String namespace, String node, String holder,
      Duration duration, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.node = node;
    this.holder = holder;
    this.duration = duration;
    this.clock = clock;
  }

  /** Renews now, then every quarter of the duration, until closed. */
  public void start() {
    long every = AgentLeases.renewInterval(duration).toMillis();
    timer.scheduleWithFixedDelay(this::renewQuietly, 0, every, TimeUnit.MILLISECONDS);
  }

  /** When the Lease was last written successfully; null before the first time. */
  public Instant lastRenewal() {
    return lastRenewal.get();
  }

  private void renewQuietly() {
    try {
      renew();
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("node", node).addKeyValue("lease", AgentLeases.name(node))
          .addKeyValue("error", e.getMessage()).log("lease not renewed; trying again");
    }
  }

  /** Writes the Lease once: renewed now, held by this agent. */
  public void renew() {
    Instant now = clock.instant();
    String name = AgentLeases.name(node);
    var leases = client.resources(Lease.class).inNamespace(namespace);
    Lease current = leases.withName(name).get();
    if (current == null) {
      Lease created = new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
          .withLabels(labels(null)).withAnnotations(annotations(null)).endMetadata()
          .withNewSpec().withHolderIdentity(holder)
          .withLeaseDurationSeconds((int) duration.toSeconds())
          .withAcquireTime(AgentLeases.microTime(now)).withRenewTime(AgentLeases.microTime(now))
          .withLeaseTransitions(0).endSpec().build();
      leases.resource(created).create();
      LOG.atInfo().addKeyValue("node", node).addKeyValue("lease", name).log("lease created");
    } else {
      var spec = current.getSpec();
      if (!Objects.equals(spec.getHolderIdentity(), holder)) {
        spec.setAcquireTime(AgentLeases.microTime(now));
        spec.setLeaseTransitions(spec.getLeaseTransitions() == null ? 1 : spec.getLeaseTransitions() + 1);
        spec.setHolderIdentity(holder);
        LOG.atInfo().addKeyValue("node", node).addKeyValue("lease", name).log("lease taken over");
      }
      spec.setLeaseDurationSeconds((int) duration.toSeconds());
      spec.setRenewTime(AgentLeases.microTime(now));
      current.getMetadata().setLabels(labels(current.getMetadata().getLabels()));
      current.getMetadata().setAnnotations(annotations(current.getMetadata().getAnnotations()));
      leases.resource(current).update(); // optimistic: a concurrent writer wins, next tick retries
    }
    lastRenewal.set(now);
  }

  private Map<String, String> labels(Map<String, String> existing) {
    Map<String, String> labels = existing == null ? new HashMap<>() : new HashMap<>(existing);
    labels.put(KulpConstants.LABEL_COMPONENT, AgentLeases.COMPONENT);
    labels.put(KulpConstants.LABEL_NODE, LabelValues.of(node));
    return labels;
  }

  private Map<String, String> annotations(Map<String, String> existing) {
    Map<String, String> annotations = existing == null ? new HashMap<>() : new HashMap<>(existing);
    annotations.put(KulpConstants.ANNOTATION_NODE_NAME, node);
    return annotations;
  }

  /** Stops renewing; the Lease expires by itself (a new agent pod takes it over). */
  @Override
  public void close() {
    timer.shutdownNow();
  }
}
