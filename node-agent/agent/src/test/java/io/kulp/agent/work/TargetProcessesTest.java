package io.kulp.agent.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.host.ContainerProcesses;
import io.kulp.host.HostContainerProcesses;
import io.kulp.host.HostPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Which processes a LivePatchNode's targets are, on a host snapshot (src/test/resources/hosts/,
 * docker with cgroupfs v1: container {@link #RUNNING} holds host PIDs 2101 and 2117), and what
 * the node's status says about the containers it could not act on.
 */
class TargetProcessesTest {
  private static final String RUNNING = "docker://f3a1c9e07b5d4e2a8c6b1d0e9f7a5c3b2e4d6f8a0c1b3d5e7f9a2c4e6b8d0f1a";

  private final ContainerProcesses host = new HostContainerProcesses(HostPaths.under(snapshot()));

  @Test
  void aOneShotNodeTakesTheIdFromThePodWatchForAContainerThatStartedAfterTheSpecWasWritten() {
    var found = new TargetProcesses(host, watchReporting(Map.of("web", RUNNING))).find(spec(Mode.OneShot, null));

    assertThat(found.processes()).extracting(t -> t.process().hostPid()).containsExactly(2101, 2117);
    assertThat(found.notStarted()).isEmpty();
    assertThat(found.note()).isNull();
  }

  @Test
  void aOneShotNodeNamesAContainerThatHasNotStartedAndSaysWhatWouldPatchIt() {
    var found = new TargetProcesses(host, watchReporting(Map.of())).find(spec(Mode.OneShot, null));

    assertThat(found.processes()).isEmpty();
    assertThat(found.note()).isEqualTo("not patched, not started yet: ns/web/app (a OneShot LivePatch patches the "
        + "containers running while it rolls out; Continuous also patches containers as they start)");
  }

  @Test
  void aContinuousNodeSaysNothingOfAContainerNotStartedYetSinceItPatchesItWhenItStarts() {
    var found = new TargetProcesses(host, watchReporting(Map.of())).find(spec(Mode.Continuous, null));

    assertThat(found.processes()).isEmpty();
    assertThat(found.note()).isNull();
  }

  @Test
  void theProcessesOfAContainerTheWebhookInjectedSaySo() {
    PodLookup injectedWeb = new PodLookup() {
      @Override
      public Optional<String> containerId(String namespace, String pod, String uid, String container) {
        return Optional.empty();
      }

      @Override
      public boolean injected(String namespace, String pod, String uid, String container) {
        return pod.equals("web") && container.equals("app");
      }
    };

    var injected = new TargetProcesses(host, injectedWeb).find(spec(Mode.OneShot, RUNNING));
    var plain = new TargetProcesses(host, watchReporting(Map.of())).find(spec(Mode.OneShot, RUNNING));

    assertThat(injected.processes()).extracting(ProcessTarget::injected).containsExactly(true, true);
    assertThat(plain.processes()).extracting(ProcessTarget::injected).containsExactly(false, false);
  }

  @Test
  void aOneShotNodeKeepsTheIdItWasStartedWith() {
    String restarted = "docker://" + "0".repeat(64); // what the watch says after a restart
    var found = new TargetProcesses(host, watchReporting(Map.of("web", restarted))).find(spec(Mode.OneShot, RUNNING));

    assertThat(found.processes()).extracting(t -> t.process().hostPid()).containsExactly(2101, 2117);
  }

  @Test
  void aContainerWhoseCgroupIsAnotherPodsIsNotTakenAsThePodsAndIsNamedInTheNote() {
    // On a kubelet node (containerd, cgroupfs): the container's cgroup is pod 8c2e3f4a-...'s, and
    // the status of pod ns/web (uid-web) names it.
    var kubeletNode = new HostContainerProcesses(HostPaths.under(snapshot("containerd-cgroupfs-v1")));
    String id = "containerd://" + RUNNING.substring("docker://".length());

    var found = new TargetProcesses(kubeletNode, watchReporting(Map.of())).find(spec(Mode.OneShot, id));

    assertThat(found.processes()).isEmpty();
    assertThat(found.note()).startsWith("cannot look into ns/web/app: container " + id
        + " runs in the cgroup of pod 8c2e3f4a-1b5d-4c6e-9f7a-0d1e2b3c4a5f, not of pod uid-web");
  }

  @Test
  void namesTheContainersThatCouldNotBeLookedIntoAndTenNotStartedAtMost() {
    List<String> pending = IntStream.range(0, 1000).mapToObj(i -> "ns/pod-" + i + "/app").toList();

    String note = new TargetProcesses.Found(List.of(), List.of("ns/a/app: permission denied"), pending).note();

    assertThat(note).startsWith("cannot look into ns/a/app: permission denied; not patched, not started yet: "
        + "ns/pod-0/app, ns/pod-1/app").contains("ns/pod-9/app and 990 more").doesNotContain("ns/pod-10/");
  }

  private static LivePatchNodeSpec spec(Mode mode, String containerId) {
    TargetContainer app = new TargetContainer();
    app.name = "app";
    app.containerID = containerId;
    TargetPod pod = new TargetPod();
    pod.namespace = "ns";
    pod.name = "web";
    pod.uid = "uid-web";
    pod.containers.add(app);
    LivePatchNodeSpec spec = new LivePatchNodeSpec();
    spec.mode = mode;
    spec.targets.add(pod);
    return spec;
  }

  /** A pod watch that reports, for container "app" of each pod named, that container ID. */
  private static PodLookup watchReporting(Map<String, String> idByPod) {
    return (namespace, pod, uid, container) -> "app".equals(container)
        ? Optional.ofNullable(idByPod.get(pod)) : Optional.empty();
  }

  private static Path snapshot() {
    return snapshot("docker-cgroupfs-v1");
  }

  private static Path snapshot(String layout) {
    try {
      return Path.of(TargetProcessesTest.class.getResource("/hosts/" + layout).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
