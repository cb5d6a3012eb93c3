package io.kulp.agent.work;

import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.host.ContainerId;
import io.kulp.host.ContainerProcess;
import io.kulp.host.ContainerProcesses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of a LivePatchNode's target containers, found from the host: container ID →
 * cgroup → PIDs. In Continuous mode the container ID is taken from the pod watch when the kubelet
 * already reports a newer one for the same pod and container (a restarted container), so that it
 * is patched without waiting for the operator to rewrite the spec.
 */
final class TargetProcesses {
  private final ContainerProcesses containers;
  private final PodLookup pods;

  TargetProcesses(ContainerProcesses containers, PodLookup pods) {
    this.containers = containers;
    this.pods = pods;
  }

  /** The processes found, and a note for each container that could not be looked at. */
  record Found(List<ProcessTarget> processes, List<String> problems) {}

  Found find(LivePatchNodeSpec spec) {
    List<ProcessTarget> processes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (TargetPod pod : spec.targets) {
      for (TargetContainer c : pod.containers) {
        String id = c.containerID;
        if (spec.mode == Mode.Continuous) {
          id = pods.containerId(pod.namespace, pod.name, pod.uid, c.name).orElse(id);
        }
        if (id == null || id.isEmpty()) {
          // Not started when the node was: Continuous gets a new spec once the kubelet reports it;
          // a OneShot node keeps the targets it was started with (docs/api.md, known limits).
          continue;
        }
        try {
          for (ContainerProcess p : containers.find(ContainerId.parse(id))) {
            processes.add(new ProcessTarget(pod.namespace, pod.name, c.name, id, p));
          }
        } catch (IllegalArgumentException | IOException e) {
          problems.add(pod.namespace + "/" + pod.name + "/" + c.name + ": " + e.getMessage());
        }
      }
    }
    return new Found(processes, problems);
  }

  boolean isRunning(ProcessTarget target) {
    return containers.isRunning(target.process());
  }
}
