package io.kulp.e2e;

import static io.kulp.e2e.AuthServicePods.DENIED;
import static io.kulp.e2e.AuthServicePods.GRANTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.StepDelay;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kulp's pods deleted in the middle of a rollout on the real node, through the API, as a drain,
 * an eviction or an operator's {@code kubectl delete pod} does: the agent pod (its DaemonSet
 * replaces it) and the operator's leader (the other replica of its Deployment takes over). The
 * rollout finishes, and no process is patched twice. To have a rollout to interrupt, the agent
 * works one process at a time and pauses at each step of an injection ({@link StepDelay}, set on
 * the DaemonSet for this class and removed after it).
 */
@ExtendWith(SharedRealNode.class)
class RealNodeFailoverE2E {
  static final int SERVICES = 4;
  static final String STEP_DELAY_MS = "250";
  static final String AGENT = "kulp-agent";
  static final String OPERATOR_LEASE = "kulp-operator";
  static final String APPLIED = "kulp_agent_operations_total{action=\"apply\",result=\"applied\"}";
  static final String SKIPPED = "kulp_agent_operations_total{action=\"apply\",result=\"skipped\"}";
  static final String FAILED = "kulp_agent_operations_total{action=\"apply\",result=\"failed\"}";
  static final Duration POD_READY = Duration.ofSeconds(120);

  private static RealNode node;
  private static KubernetesClient client;
  private static AuthServicePods pods;
  private static E2ELivePatches livePatches;

  @BeforeAll
  static void slowAgent() {
    node = SharedRealNode.node();
    client = node.client();
    pods = new AuthServicePods(node);
    livePatches = new E2ELivePatches(client);
    setAgentEnv(Map.of(StepDelay.ENV, STEP_DELAY_MS, KulpConstants.ENV_PARALLELISM, "1"));
  }

  @AfterAll
  static void agentAsInstalled() {
    if (client != null) {
      setAgentEnv(Map.of());
    }
  }

  @Test
  void anAgentPodDeletedMidRolloutIsReplacedAndItsReplacementFinishesWithoutPatchingAnyProcessTwice() {
    String namespace = "real-node-agent-deleted";
    String app = "agent-deleted";
    try {
      startServices(namespace, app);
      Pod agent = agentPod();
      long appliedBefore = metric(agent, APPLIED);
      ByteArrayOutputStream deletedLog = new ByteArrayOutputStream();
      LogWatch logWatch = client.pods().inNamespace(RealNode.SYSTEM_NAMESPACE).withName(name(agent))
          .watchLog(deletedLog);
      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(app, app, Action.Apply, Mode.OneShot, sha));
      await("a first process patched by " + name(agent)).atMost(E2ELivePatches.ROLLOUT)
          .pollInterval(Duration.ofMillis(100)).until(() -> metric(agent, APPLIED) > appliedBefore);
      client.pods().inNamespace(RealNode.SYSTEM_NAMESPACE).withName(name(agent)).withGracePeriod(1).delete();

      Pod replacement = await("the DaemonSet's replacement agent pod Ready").atMost(POD_READY)
          .pollInterval(Duration.ofMillis(500)).until(RealNodeFailoverE2E::agentPod,
              p -> p != null && !p.getMetadata().getUid().equals(agent.getMetadata().getUid()));
      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      LivePatchNode lpn = livePatches.nodes(app).get(0);
      logWatch.close();
      String story = "final status " + Serialization.asJson(lpn.getStatus()) + "\n--- the deleted agent "
          + name(agent) + " ---\n" + deletedLog.toString(StandardCharsets.UTF_8) + node.kulpLogs();
      assertPatchedOnce(namespace, app, done, lpn, story);
      assertThat(metric(replacement, APPLIED)).as("processes the replacement patched; " + story)
          .isBetween(1L, SERVICES - 1L);
      assertThat(metric(replacement, SKIPPED)).as("patches the runtime refused as already applied; " + story).isZero();
      assertThat(metric(replacement, FAILED)).as(story).isZero();
    } finally {
      cleanUp(namespace, app);
    }
  }

  @Test
  void theOperatorLeaderDeletedMidRolloutIsSucceededByAnotherReplicaWhichCompletesTheRollout() {
    String namespace = "real-node-operator-deleted";
    String app = "operator-deleted";
    try {
      startServices(namespace, app);
      Pod agent = agentPod();
      long appliedBefore = metric(agent, APPLIED);
      long skippedBefore = metric(agent, SKIPPED);
      String leader = operatorLease().getSpec().getHolderIdentity();
      List<String> operators = client.pods().inNamespace(RealNode.SYSTEM_NAMESPACE)
          .withLabel(KulpConstants.LABEL_COMPONENT, "operator").list().getItems().stream()
          .filter(Readiness::isPodReady).map(RealNodeFailoverE2E::name).toList();
      assertThat(operators).as("the operator's Ready replicas").hasSize(2).contains(leader);

      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(app, app, Action.Apply, Mode.OneShot, sha));
      await("a first process patched").atMost(E2ELivePatches.ROLLOUT).pollInterval(Duration.ofMillis(100))
          .until(() -> metric(agent, APPLIED) > appliedBefore);
      assertThat(E2ELivePatches.conditionTrue(livePatches.get(app), KulpConstants.CONDITION_COMPLETE))
          .as("the rollout is still going on when its leader is deleted").isFalse();
      client.pods().inNamespace(RealNode.SYSTEM_NAMESPACE).withName(leader).withGracePeriod(1).delete();

      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      Lease lease = operatorLease();
      String successor = lease.getSpec().getHolderIdentity();
      // JOSDK 5.2.3 does not release the Lease when its operator stops: it expires 15 s after the
      // deleted leader's last renewal, and the standby or the Deployment's new pod, whichever
      // tries first, takes it.
      assertThat(successor).as("the leader after the deletion").isNotEqualTo(leader)
          .isIn(client.pods().inNamespace(RealNode.SYSTEM_NAMESPACE).withLabel(KulpConstants.LABEL_COMPONENT, "operator")
              .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              .map(RealNodeFailoverE2E::name).toList());
      System.out.printf("real node: operator leader %s deleted mid-rollout; %s took over (%s)%n", leader, successor,
          operators.contains(successor) ? "the standby" : "the Deployment's new pod");
      Instant completed = Instant.parse(done.getStatus().conditions.stream()
          .filter(c -> KulpConstants.CONDITION_COMPLETE.equals(c.getType())).findFirst().orElseThrow()
          .getLastTransitionTime());
      assertThat(completed).as("Complete set by the successor, after it took the lease")
          .isAfterOrEqualTo(lease.getSpec().getAcquireTime().toInstant().truncatedTo(ChronoUnit.SECONDS));
      LivePatchNode lpn = livePatches.nodes(app).get(0);
      String story = "final status " + Serialization.asJson(lpn.getStatus()) + "\n" + node.kulpLogs();
      assertPatchedOnce(namespace, app, done, lpn, story);
      assertThat(metric(agent, APPLIED) - appliedBefore).as("processes the agent patched; " + story)
          .isEqualTo(SERVICES);
      assertThat(metric(agent, SKIPPED) - skippedBefore).as("patches refused as already applied; " + story).isZero();
    } finally {
      cleanUp(namespace, app);
    }
  }

  /** {@link #SERVICES} auth-service pods app={@code app}, running and unpatched. */
  private static void startServices(String namespace, String app) {
    pods.createNamespace(namespace, Map.of());
    IntStream.range(0, SERVICES).forEach(i -> pods.create(AuthServicePods.preloadedPod(namespace, app + "-" + i, app)));
    IntStream.range(0, SERVICES).forEach(i -> pods.awaitLastLine(namespace, app + "-" + i, GRANTED,
        "service " + i + " grants an empty password"));
  }

  /** Every service denies an empty password, and the status counts each process once, Applied. */
  private static void assertPatchedOnce(String namespace, String app, LivePatch done, LivePatchNode lpn,
      String story) {
    assertThat(done.getStatus().processes.patched).as(story).isEqualTo(SERVICES);
    assertThat(done.getStatus().processes.skipped).as(story).isZero();
    assertThat(done.getStatus().processes.failed).as(story).isZero();
    assertThat(lpn.getStatus().summary.applied).as(story).isEqualTo(SERVICES);
    List<ProcessRecord> records = lpn.getStatus().records;
    assertThat(records).as(story).hasSize(SERVICES).allMatch(r -> r.result == ProcessResult.Applied);
    assertThat(records).extracting(r -> r.pod).as(story)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, SERVICES).mapToObj(i -> app + "-" + i).toList());
    assertThat(records).extracting(r -> r.hostPID).as(story).doesNotHaveDuplicates();
    IntStream.range(0, SERVICES).forEach(i -> pods.awaitLastLine(namespace, app + "-" + i, DENIED,
        "service " + i + " patched; " + story));
  }

  private static void cleanUp(String namespace, String app) {
    client.resources(LivePatch.class).withName(app).delete();
    client.configMaps().inNamespace(E2EEnvironment.PATCHES_NAMESPACE).withName(app).delete();
    livePatches.awaitGone(app);
    pods.deleteNamespace(namespace);
  }

  /** The node's agent pod, when exactly one is there (not being deleted) and Ready, else null. */
  private static Pod agentPod() {
    List<Pod> agents = client.pods().inNamespace(RealNode.SYSTEM_NAMESPACE)
        .withLabel(KulpConstants.LABEL_COMPONENT, "agent").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    return agents.size() == 1 && Readiness.isPodReady(agents.get(0)) ? agents.get(0) : null;
  }

  /** A counter of a pod's /metrics, read through the API server's proxy to the pod; fails when absent. */
  private static long metric(Pod pod, String series) {
    String metrics = client.raw("/api/v1/namespaces/" + RealNode.SYSTEM_NAMESPACE + "/pods/" + name(pod)
        + ":8080/proxy/metrics");
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
        .matcher(metrics == null ? "" : metrics);
    if (!m.find()) {
      throw new AssertionError(series + " is not in the metrics of " + name(pod) + ":\n" + metrics);
    }
    return (long) Double.parseDouble(m.group(1));
  }

  private static Lease operatorLease() {
    return client.resources(Lease.class).inNamespace(RealNode.SYSTEM_NAMESPACE).withName(OPERATOR_LEASE).get();
  }

  /**
   * Sets the agent container's variables {@code env} (removing the test's others) and waits until
   * the DaemonSet's pod runs with them and is Ready.
   */
  private static void setAgentEnv(Map<String, String> env) {
    client.apps().daemonSets().inNamespace(RealNode.SYSTEM_NAMESPACE).withName(AGENT).edit(ds -> {
      List<EnvVar> vars = ds.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
      vars.removeIf(v -> v.getName().equals(StepDelay.ENV) || v.getName().equals(KulpConstants.ENV_PARALLELISM));
      env.forEach((k, v) -> vars.add(new EnvVar(k, v, null)));
      return ds;
    });
    await("the agent pod with " + env + " Ready").atMost(POD_READY).pollInterval(Duration.ofMillis(500)).until(() -> {
      DaemonSet ds = client.apps().daemonSets().inNamespace(RealNode.SYSTEM_NAMESPACE).withName(AGENT).get();
      Pod pod = agentPod();
      return ds.getStatus() != null && ds.getMetadata().getGeneration().equals(ds.getStatus().getObservedGeneration())
          && Integer.valueOf(1).equals(ds.getStatus().getUpdatedNumberScheduled()) && pod != null
          && pod.getSpec().getContainers().get(0).getEnv().stream()
              .filter(v -> v.getName().equals(StepDelay.ENV) || v.getName().equals(KulpConstants.ENV_PARALLELISM))
              .count() == env.size();
    });
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getName();
  }
}
