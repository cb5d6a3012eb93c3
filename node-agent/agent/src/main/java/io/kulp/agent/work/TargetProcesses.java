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
 * is patched without waiting for the operator to rewrite the spec. In OneShot mode the spec's ID
 * stands; the pod watch only fills in the ID of a container that started after the operator
 * wrote the spec.
 */
final class TargetProcesses {
  private final ContainerProcesses containers;
  private final PodLookup pods;

  TargetProcesses(ContainerProcesses containers, PodLookup pods) {
    this.containers = containers;
    this.pods = pods;
  }

  /**
   * The processes found, a note for each container that could not be looked at, and the
   * containers of a OneShot node that have not started (which it will not patch later).
   */
  record Found(List<ProcessTarget> processes, List<String> problems, List<String> notStarted) {

    /** Containers named in a note at most; the status stays small whatever the node runs. */
    static final int NAMED = 10;

    /** What the node's status message says about them, or null. */
    String note() {
      List<String> notes = new ArrayList<>();
      if (!problems.isEmpty()) {
        notes.add("cannot look into " + first(problems, "; "));
      }
      if (!notStarted.isEmpty()) {
        notes.add("not patched, not started yet: " + first(notStarted, ", ")
            + " (a OneShot LivePatch patches the containers running while it rolls out; Continuous also "
            + "patches containers as they start)");
      }
      return notes.isEmpty() ? null : String.join("; ", notes);
    }

    private static String first(List<String> items, String separator) {
      String named = String.join(separator, items.subList(0, Math.min(NAMED, items.size())));
      return items.size() <= NAMED ? named : named + " and " + (items.size() - NAMED) + " more";
    }
  }

  Found find(LivePatchNodeSpec spec) {
    List<ProcessTarget> processes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> notStarted = new ArrayList<>();
    for (TargetPod pod : spec.targets) {
      for (TargetContainer c : pod.containers) {
        String id = c.containerID;
        if (spec.mode == Mode.Continuous || id == null || id.isEmpty()) {
          id = pods.containerId(pod.namespace, pod.name, pod.uid, c.name).orElse(id);
        }
        if (id == null || id.isEmpty()) {
          // Continuous gets to it once the kubelet reports it; a OneShot node keeps the targets it
          // was started with, and says so (docs/api.md, known limits).
          if (spec.mode != Mode.Continuous) {
            notStarted.add(pod.namespace + "/" + pod.name + "/" + c.name);
          }
          continue;
        }
        try {
          boolean injected = pods.injected(pod.namespace, pod.name, pod.uid, c.name);
          for (ContainerProcess p : containers.find(ContainerId.parse(id), pod.uid)) {
            processes.add(new ProcessTarget(pod.namespace, pod.name, c.name, id, p, injected));
          }
        } catch (IllegalArgumentException | IOException e) {
          problems.add(pod.namespace + "/" + pod.name + "/" + c.name + ": " + e.getMessage());
        }
      }
    }
    return new Found(processes, problems, notStarted);
  }

  boolean isRunning(ProcessTarget target) {
    return containers.isRunning(target.process());
  }
}
