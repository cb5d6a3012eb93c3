package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the operator keeps of a pod: the fields {@link TargetResolver} and
 * {@link ClusterEventFilters} read, and nothing else (no spec beyond the node and the container
 * names, no managedFields, annotations or conditions). About 760 bytes a pod with its
 * {@link PodCache} index entries (measured with 150,000 pods of three labels and two containers)
 * instead of the several kilobytes of a full Pod object; strings that repeat across pods (namespaces, nodes,
 * label keys and values, container names, phases) are interned.
 *
 * @param labels keys and values, alternating; null when the pod has no labels map
 * @param containers the names of spec.containers, in order
 * @param statuses status.containerStatuses as name, containerID and state.running.startedAt (null
 *     when not running) in turn, in order; null when the pod has no status (startedAt tells a
 *     container that started after a OneShot rollout completed: UnpatchedSinceComplete)
 */
record PodSummary(String namespace, String name, String uid, String resourceVersion,
    String[] labels, String deletionTimestamp, String nodeName, String[] containers,
    String phase, String[] statuses) {

  /** Kept of each container status: name, containerID, state.running.startedAt. */
  private static final int STATUS_FIELDS = 3;

  static PodSummary of(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    PodSpec spec = pod.getSpec();
    PodStatus status = pod.getStatus();
    String[] containers = spec == null || spec.getContainers() == null ? new String[0]
        : spec.getContainers().stream().map(c -> intern(c.getName())).toArray(String[]::new);
    String[] statuses = null;
    if (status != null) {
      List<ContainerStatus> cs = status.getContainerStatuses() == null ? List.of()
          : status.getContainerStatuses();
      statuses = new String[cs.size() * STATUS_FIELDS];
      for (int i = 0; i < cs.size(); i++) {
        ContainerStatus c = cs.get(i);
        statuses[STATUS_FIELDS * i] = intern(c.getName());
        statuses[STATUS_FIELDS * i + 1] = c.getContainerID();
        statuses[STATUS_FIELDS * i + 2] = c.getState() == null || c.getState().getRunning() == null ? null
            : c.getState().getRunning().getStartedAt();
      }
    }
    return new PodSummary(intern(m.getNamespace()), m.getName(), m.getUid(),
        m.getResourceVersion(), Labels.flatten(m.getLabels()), m.getDeletionTimestamp(),
        spec == null ? null : intern(spec.getNodeName()), containers,
        status == null ? null : intern(status.getPhase()), statuses);
  }

  /** The pod's labels as a map (null when it had none). */
  Map<String, String> labelMap() {
    return Labels.map(labels);
  }

  /**
   * A read-only Pod holding exactly the fields kept ({@link SummarizedPod}): a few dozen bytes
   * until it is read.
   */
  Pod toPod() {
    return new SummarizedPod(this);
  }

  ObjectMeta metadata() {
    ObjectMeta m = new ObjectMeta();
    m.setNamespace(namespace);
    m.setName(name);
    m.setUid(uid);
    m.setResourceVersion(resourceVersion);
    m.setLabels(labelMap());
    m.setDeletionTimestamp(deletionTimestamp);
    return m;
  }

  PodSpec spec() {
    PodSpec spec = new PodSpec();
    spec.setNodeName(nodeName);
    List<Container> cs = new ArrayList<>(containers.length);
    for (String c : containers) {
      Container container = new Container();
      container.setName(c);
      cs.add(container);
    }
    spec.setContainers(cs);
    return spec;
  }

  /** The status kept, or null when the pod had none. */
  PodStatus status() {
    if (statuses == null) {
      return null;
    }
    PodStatus status = new PodStatus();
    status.setPhase(phase);
    List<ContainerStatus> ss = new ArrayList<>(statuses.length / STATUS_FIELDS);
    for (int i = 0; i < statuses.length; i += STATUS_FIELDS) {
      ContainerStatus s = new ContainerStatus();
      s.setName(statuses[i]);
      s.setContainerID(statuses[i + 1]);
      if (statuses[i + 2] != null) {
        s.setState(new ContainerStateBuilder().withNewRunning().withStartedAt(statuses[i + 2]).endRunning().build());
      }
      ss.add(s);
    }
    status.setContainerStatuses(ss);
    return status;
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }
}
