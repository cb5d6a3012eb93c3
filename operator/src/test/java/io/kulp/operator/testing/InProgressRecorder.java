package io.kulp.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.NodePhase;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Watches the LivePatchNodes of one LivePatch and, after every event, counts those in progress
 * (no final report for their current generation); remembers the highest count seen. One watch
 * stream delivers events in resourceVersion order, so the count is the one the cluster had.
 */
public final class InProgressRecorder implements AutoCloseable {

  private final Map<String, LivePatchNode> current = new HashMap<>();
  private final Watch watch;
  private int max;

  public InProgressRecorder(KubernetesClient client, String livePatch) {
    watch = client.resources(LivePatchNode.class).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, LivePatchNode lpn) {
        if (!livePatch.equals(lpn.getSpec().livePatch)) {
          return;
        }
        synchronized (InProgressRecorder.this) {
          if (action == Action.DELETED) {
            current.remove(lpn.getMetadata().getName());
          } else {
            current.put(lpn.getMetadata().getName(), lpn);
          }
          max = Math.max(max, (int) current.values().stream()
              .filter(InProgressRecorder::inProgress).count());
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  static boolean inProgress(LivePatchNode lpn) {
    var st = lpn.getStatus();
    return st == null || !Objects.equals(st.observedGeneration, lpn.getMetadata().getGeneration())
        || st.phase == NodePhase.InProgress;
  }

  public synchronized int max() {
    return max;
  }

  @Override
  public void close() {
    watch.close();
  }
}
