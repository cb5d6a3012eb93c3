package io.kulp.agent.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kulp.agent.work.PodLookup;
import io.kulp.api.KulpConstants;
import io.kulp.api.LabelValues;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The agent's two watches: the LivePatchNodes of its node (label {@code kulp.io/node}, and
 * {@code spec.nodeName} compared), and the pods of its node (field selector
 * {@code spec.nodeName}). LivePatchNode events that change the spec (a new generation) or delete
 * it queue its name; status updates, which are the agent's own writes, do not. Pod events queue
 * the Continuous LivePatchNodes that target the pod, so a restarted container is patched at once.
 */
public final class ClusterWatch implements PodLookup, AutoCloseable {
  private final String nodeName;
  private final SharedIndexInformer<LivePatchNode> livePatchNodes;
  private final SharedIndexInformer<Pod> pods;

  public ClusterWatch(KubernetesClient client, String nodeName) {
    this.nodeName = nodeName;
    this.livePatchNodes = client.resources(LivePatchNode.class)
        .withLabel(KulpConstants.LABEL_NODE, LabelValues.of(nodeName)).runnableInformer(0);
    this.pods = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0);
  }

  /** Starts both watches and waits until their caches are filled; events go to {@code queue}. */
  public void start(Consumer<String> queue) {
    livePatchNodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(LivePatchNode lpn) {
        if (mine(lpn)) {
          queue.accept(lpn.getMetadata().getName());
        }
      }

      @Override
      public void onUpdate(LivePatchNode old, LivePatchNode lpn) {
        boolean newSpec = !Objects.equals(old.getMetadata().getGeneration(), lpn.getMetadata().getGeneration())
            || !Objects.equals(old.getMetadata().getUid(), lpn.getMetadata().getUid());
        if (mine(lpn) && newSpec) {
          queue.accept(lpn.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(LivePatchNode lpn, boolean unknownFinalState) {
        queue.accept(lpn.getMetadata().getName());
      }
    });
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        targeting(pod, queue);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        targeting(pod, queue);
      }

      @Override
      public void onDelete(Pod pod, boolean unknownFinalState) {}
    });
    pods.run();
    livePatchNodes.run();
  }

  private void targeting(Pod pod, Consumer<String> queue) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    for (LivePatchNode lpn : livePatchNodes.getStore().list()) {
      if (mine(lpn) && lpn.getSpec().mode == Mode.Continuous
          && lpn.getSpec().targets.stream().anyMatch(t -> ns.equals(t.namespace) && name.equals(t.name))) {
        queue.accept(lpn.getMetadata().getName());
      }
    }
  }

  private boolean mine(LivePatchNode lpn) {
    return lpn.getSpec() != null && nodeName.equals(lpn.getSpec().nodeName);
  }

  /** The cached LivePatchNode of this node with that name, or null when it is gone. */
  public LivePatchNode livePatchNode(String name) {
    LivePatchNode lpn = livePatchNodes.getStore().getByKey(name);
    return lpn != null && mine(lpn) ? lpn : null;
  }

  /** Every cached LivePatchNode of this node. */
  public List<LivePatchNode> livePatchNodes() {
    return livePatchNodes.getStore().list().stream().filter(this::mine).toList();
  }

  @Override
  public Optional<String> containerId(String namespace, String pod, String uid, String container) {
    Pod p = pods.getStore().getByKey(namespace + "/" + pod);
    if (p == null || !Objects.equals(p.getMetadata().getUid(), uid) || p.getStatus() == null
        || p.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return p.getStatus().getContainerStatuses().stream()
        .filter(s -> container.equals(s.getName()) && s.getContainerID() != null && !s.getContainerID().isEmpty())
        .map(ContainerStatus::getContainerID).findFirst();
  }

  @Override
  public boolean injected(String namespace, String pod, String uid, String container) {
    Pod p = pods.getStore().getByKey(namespace + "/" + pod);
    if (p == null || !Objects.equals(p.getMetadata().getUid(), uid) || p.getMetadata().getAnnotations() == null) {
      return false;
    }
    String injected = p.getMetadata().getAnnotations().get(KulpConstants.ANNOTATION_INJECTED);
    return injected != null && java.util.Arrays.stream(injected.split(",")).map(String::trim)
        .anyMatch(container::equals);
  }

  public boolean synced() {
    return livePatchNodes.hasSynced() && pods.hasSynced();
  }

  public boolean watching() {
    return livePatchNodes.isWatching() && pods.isWatching();
  }

  @Override
  public void close() {
    livePatchNodes.close();
    pods.close();
  }
}
