package io.kulp.e2e;

import static io.kulp.e2e.AuthServicePods.DENIED;
import static io.kulp.e2e.AuthServicePods.GRANTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kulp on a real node, as a user runs it: the node of deploy/dev/node-up.sh (a real kubelet,
 * containerd and runc), kulp installed with {@code kubectl apply -k} from its images (operator
 * Deployment and agent DaemonSet as pods), and the demo's auth-service as workload pods. LivePatches
 * created through the API patch the running service (its own output changes) and roll it back.
 * Everything goes through the API server: the test never touches the processes.
 */
@ExtendWith(SharedRealNode.class)
class RealNodeE2E {
  private static RealNode node;
  private static KubernetesClient client;
  private static AuthServicePods pods;
  private static E2ELivePatches livePatches;

  @BeforeAll
  static void sharedNode() {
    node = SharedRealNode.node();
    client = node.client();
    pods = new AuthServicePods(node);
    livePatches = new E2ELivePatches(client);
  }

  @Test
  void aLivePatchThroughTheApiChangesTheServicesOutputAndDeletingItRevertsIt() {
    String namespace = "real-node-preloaded";
    try {
      pods.createNamespace(namespace, Map.of());
      pods.create(AuthServicePods.preloadedPod(namespace, "auth-service-preloaded", "auth-service-preloaded"));
      patchesAndReverts(namespace, "auth-service-preloaded");
    } finally {
      pods.deleteNamespace(namespace);
    }
  }

  @Test
  void aPodOfALabelledNamespaceGetsTheRuntimeFromTheWebhookAndIsPatched() {
    String namespace = "real-node-injected";
    try {
      pods.createNamespace(namespace, Map.of("kulp.io/inject", "enabled"));
      Pod created = pods.create(AuthServicePods.pod(namespace, "auth-service-injected", "auth-service-injected",
          AuthServiceImage.PLAIN_REFERENCE));
      assertThat(created.getSpec().getInitContainers()).as("the init container the webhook adds")
          .extracting(Container::getImage).singleElement().asString().startsWith("ghcr.io/kulp-io/kulp-runtime:");
      assertThat(created.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName).contains("LD_PRELOAD");
      patchesAndReverts(namespace, "auth-service-injected");
    } finally {
      pods.deleteNamespace(namespace);
    }
  }

  @Test
  void aContinuousLivePatchAlsoPatchesAPodStartedAfterItCompleted() {
    String namespace = "real-node-continuous";
    String app = "continuous";
    try {
      pods.createNamespace(namespace, Map.of());
      pods.create(AuthServicePods.preloadedPod(namespace, "first", app));
      pods.awaitLastLine(namespace, "first", GRANTED, "the first service grants an empty password");
      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(app, app, Action.Apply, Mode.Continuous, sha));
      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      assertThat(done.getStatus().processes.patched).isEqualTo(1);
      pods.awaitLastLine(namespace, "first", DENIED, "the first service, patched, denies an empty password");

      long created = System.nanoTime();
      pods.create(AuthServicePods.preloadedPod(namespace, "later", app));
      pods.awaitLastLine(namespace, "later", DENIED, "the service started after Complete, patched with nothing "
          + "more done, denies an empty password");
      System.out.printf("real node, continuous mode: a pod created after Complete printed its first patched line "
          + "%d ms after it was created%n", (System.nanoTime() - created) / 1_000_000);
      await("both processes counted patched").atMost(E2ELivePatches.ROLLOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> livePatches.get(app).getStatus().processes.patched == 2);

      livePatches.delete(app);
      livePatches.awaitGone(app);
      pods.awaitLastLine(namespace, "first", GRANTED, "the first service, reverted, grants again");
      pods.awaitLastLine(namespace, "later", GRANTED, "the later service, reverted, grants again");
    } finally {
      deleteLivePatch(app);
      pods.deleteNamespace(namespace);
    }
  }

  @Test
  void revertAllRollsTheLibraryBackInTheRunningService() {
    String namespace = "real-node-revert-all";
    String app = "revert-all";
    String fix = "revert-all-fix";
    try {
      pods.createNamespace(namespace, Map.of());
      pods.create(AuthServicePods.preloadedPod(namespace, "service", app));
      pods.awaitLastLine(namespace, "service", GRANTED, "the service grants an empty password");
      String sha = livePatches.configMap(fix, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(fix, app, Action.Apply, Mode.OneShot, sha));
      assertThat(livePatches.awaitCondition(fix, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs)
          .getStatus().processes.patched).isEqualTo(1);
      pods.awaitLastLine(namespace, "service", DENIED, "the patched service denies an empty password");

      livePatches.create(AuthServicePods.livePatch(app, app, Action.RevertAll, Mode.OneShot, null));
      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      pods.awaitLastLine(namespace, "service", GRANTED, "after RevertAll of libauth.so.1 the service grants again");
      assertThat(done.getStatus().processes.patched).as("processes reverted").isEqualTo(1);
      LivePatchNode lpn = livePatches.nodes(app).get(0);
      assertThat(lpn.getStatus().summary.reverted).isEqualTo(1);
      assertThat(lpn.getStatus().records).extracting(r -> r.result).containsExactly(ProcessResult.Reverted);
    } finally {
      deleteLivePatch(app);
      deleteLivePatch(fix);
      pods.deleteNamespace(namespace);
    }
  }

  @Test
  void aContainerThatRestartsIsPatchedAgainInContinuousMode() {
    String namespace = "real-node-restart";
    String app = "restart";
    try {
      startRestartableService(namespace, app);
      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(app, app, Action.Apply, Mode.Continuous, sha));
      livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      pods.awaitLastLine(namespace, "service", DENIED, "the patched service denies an empty password");
      String firstContainer = appStatus(namespace).getContainerID();
      assertThat(appliedRecords(app)).extracting(r -> r.containerID).containsExactly(firstContainer);

      restartTheService(namespace, firstContainer);
      String secondContainer = appStatus(namespace).getContainerID();
      pods.awaitLastLine(namespace, "service", DENIED, "the restarted service, a new process, denies an empty password");
      await("the new container's process reported Applied").atMost(E2ELivePatches.ROLLOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> appliedRecords(app).stream().anyMatch(r -> secondContainer.equals(r.containerID)));
    } finally {
      deleteLivePatch(app);
      pods.deleteNamespace(namespace);
    }
  }

  @Test
  void aContainerThatRestartsAfterAOneShotRolloutIsReportedUnpatched() {
    String namespace = "real-node-restart-oneshot";
    String app = "restart-oneshot";
    try {
      startRestartableService(namespace, app);
      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(app, app, Action.Apply, Mode.OneShot, sha));
      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      assertThat(done.getStatus().unpatchedSinceComplete).as("nothing unpatched yet")
          .satisfiesAnyOf(u -> assertThat(u).isNull(), u -> assertThat(u.count).isZero());
      pods.awaitLastLine(namespace, "service", DENIED, "the patched service denies an empty password");
      String firstContainer = appStatus(namespace).getContainerID();

      restartTheService(namespace, firstContainer);
      pods.awaitLastLine(namespace, "service", GRANTED, "the restarted service, a new process, runs unpatched");
      LivePatch reported = await("the LivePatch reports the restarted container unpatched")
          .atMost(E2ELivePatches.ROLLOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> livePatches.get(app), lp -> lp.getStatus().unpatchedSinceComplete != null
              && lp.getStatus().unpatchedSinceComplete.count == 1);
      assertThat(reported.getStatus().unpatchedSinceComplete.containers).singleElement().asString()
          .endsWith(namespace + "/service/app");
      assertThat(reported.getStatus().conditions).as("still Complete: the rollout itself is done")
          .anyMatch(c -> c.getType().equals(KulpConstants.CONDITION_COMPLETE) && c.getStatus().equals("True"));
    } finally {
      deleteLivePatch(app);
      pods.deleteNamespace(namespace);
    }
  }

  /** The service, in pod "service" of {@code namespace}, whose container the kubelet restarts when it ends. */
  private static void startRestartableService(String namespace, String app) {
    pods.createNamespace(namespace, Map.of());
    // The process namespace shared with the pod's sandbox, so that the service is not its
    // namespace's init and can be killed from another container of the pod.
    Pod pod = AuthServicePods.preloadedPod(namespace, "service", app);
    pod.getSpec().setShareProcessNamespace(true);
    pod.getSpec().setRestartPolicy("Always");
    pods.create(pod);
    pods.awaitLastLine(namespace, "service", GRANTED, "the service grants an empty password");
  }

  /** Kills the service; returns once the kubelet runs it again in a new container. */
  private static void restartTheService(String namespace, String firstContainer) {
    killTheService(namespace);
    await("the app container restarted by the kubelet").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250)).until(() -> {
          ContainerStatus s = appStatus(namespace);
          return s.getRestartCount() >= 1 && s.getState().getRunning() != null
              && !firstContainer.equals(s.getContainerID());
        });
  }

  /** The service grants an empty password; a LivePatch makes it deny one; deleting it grants again. */
  private static void patchesAndReverts(String namespace, String app) {
    pods.awaitLastLine(namespace, app, GRANTED, "the service runs and grants an empty password");
    try {
      String sha = livePatches.configMap(app, AuthServiceImage.FIX);
      livePatches.create(AuthServicePods.livePatch(app, app, Action.Apply, Mode.OneShot, sha));
      LivePatch done = livePatches.awaitCondition(app, KulpConstants.CONDITION_COMPLETE, 1, node::kulpLogs);
      assertThat(done.getStatus().processes.patched).isEqualTo(1);
      pods.awaitLastLine(namespace, app, DENIED, "the patched service denies an empty password");

      livePatches.delete(app);
      livePatches.awaitGone(app);
      pods.awaitLastLine(namespace, app, GRANTED, "the reverted service grants an empty password again");
    } finally {
      deleteLivePatch(app);
    }
  }

  /**
   * Kills the service's process as a crash would (SIGKILL), from an ephemeral container of its pod
   * added through the API ({@code kubectl debug} does the same): the agent's image, for its shell.
   */
  private static void killTheService(String namespace) {
    DaemonSet agent = client.apps().daemonSets().inNamespace(RealNode.SYSTEM_NAMESPACE).withName("kulp-agent").get();
    String shell = agent.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    client.pods().inNamespace(namespace).withName("service").ephemeralContainers()
        .edit(p -> new PodBuilder(p).editSpec().addToEphemeralContainers(new EphemeralContainerBuilder()
            .withName("kill").withImage(shell).withImagePullPolicy("Never").withCommand("/bin/sh", "-c",
                "for p in /proc/[0-9]*; do read -r c < $p/comm; [ \"$c\" = auth-service ] && kill -KILL ${p#/proc/}; "
                    + "done; exit 0")
            .build()).endSpec().build());
  }

  private static ContainerStatus appStatus(String namespace) {
    return client.pods().inNamespace(namespace).withName("service").get().getStatus().getContainerStatuses().stream()
        .filter(s -> "app".equals(s.getName())).findFirst().orElseThrow();
  }

  private static List<ProcessRecord> appliedRecords(String livePatch) {
    List<LivePatchNode> nodes = livePatches.nodes(livePatch);
    if (nodes.isEmpty() || nodes.get(0).getStatus() == null) {
      return List.of();
    }
    return nodes.get(0).getStatus().records.stream().filter(r -> r.result == ProcessResult.Applied).toList();
  }

  private static void deleteLivePatch(String name) {
    client.resources(LivePatch.class).withName(name).delete();
    client.configMaps().inNamespace(E2EEnvironment.PATCHES_NAMESPACE).withName(name).delete();
  }
}
