package io.kulp.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kulp.api.v1alpha1.LivePatch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every version of every LivePatch the API server reports from the moment it is created: a watch
 * delivers each write, so a status that was written, even briefly, is in the history.
 */
public final class LivePatchHistory implements AutoCloseable {

  private final Map<String, List<LivePatch>> versions = new ConcurrentHashMap<>();
  private final Watch watch;

  public LivePatchHistory(KubernetesClient client) {
    watch = client.resources(LivePatch.class).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, LivePatch lp) {
        versions.computeIfAbsent(lp.getMetadata().getName(), k -> new CopyOnWriteArrayList<>()).add(lp);
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  /** The versions of LivePatch {@code name} seen so far, oldest first. */
  public List<LivePatch> of(String name) {
    return List.copyOf(versions.getOrDefault(name, List.of()));
  }

  @Override
  public void close() {
    watch.close();
  }
}
