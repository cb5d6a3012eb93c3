package io.kulp.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.api.v1alpha1.ProcessSummary;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Plays the node agents: writes LivePatchNode status as the agent contract (docs/api.md) says,
 * one process per target container. Either on request ({@link #report}) or automatically for
 * every LivePatchNode whose current generation has no final report yet ({@link #autoReply}).
 */
public final class FakeAgents implements AutoCloseable {

  private final KubernetesClient client;
  private final ExecutorService replies = Executors.newSingleThreadExecutor();
  private final Map<String, Function<LivePatchNode, NodePhase>> auto = new ConcurrentHashMap<>();
  private Watch watch;

  public FakeAgents(KubernetesClient client) {
    this.client = client;
  }

  /** Reports {@code phase} for the LivePatchNode of that LivePatch on that node. */
  public void report(String livePatch, String node, NodePhase phase) {
    LivePatchNode lpn = client.resources(LivePatchNode.class).list().getItems().stream()
        .filter(l -> livePatch.equals(l.getSpec().livePatch) && node.equals(l.getSpec().nodeName))
        .findFirst().orElseThrow(() -> new AssertionError("no LivePatchNode for " + node));
    report(lpn, phase);
  }

  /** Reports {@code phase} on {@code lpn}'s current generation. */
  public void report(LivePatchNode lpn, NodePhase phase) {
    client.resources(LivePatchNode.class).withName(lpn.getMetadata().getName())
        .editStatus(current -> {
          current.setStatus(statusFor(current, phase));
          return current;
        });
  }

  /**
   * From now on, answer every LivePatchNode of {@code livePatch} that awaits a report with the
   * phase {@code decide} returns for it (null: do not answer).
   */
  public synchronized void autoReply(String livePatch, Function<LivePatchNode, NodePhase> decide) {
    auto.put(livePatch, decide);
    if (watch == null) {
      watch = client.resources(LivePatchNode.class).watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, LivePatchNode lpn) {
          if (action != Action.DELETED) {
            replies.submit(() -> maybeReply(lpn));
          }
        }

        @Override
        public void onClose(WatcherException cause) {}
      });
    }
    client.resources(LivePatchNode.class).list().getItems()
        .forEach(lpn -> replies.submit(() -> maybeReply(lpn)));
  }

  /** Answer every LivePatchNode of {@code livePatch} with Succeeded. */
  public void autoSucceed(String livePatch) {
    autoReply(livePatch, lpn -> NodePhase.Succeeded);
  }

  private void maybeReply(LivePatchNode lpn) {
    var decide = auto.get(lpn.getSpec().livePatch);
    boolean reported = lpn.getStatus() != null
        && Objects.equals(lpn.getStatus().observedGeneration, lpn.getMetadata().getGeneration())
        && lpn.getStatus().phase != NodePhase.InProgress;
    if (decide == null || reported) {
      return;
    }
    NodePhase phase = decide.apply(lpn);
    if (phase != null) {
      try {
        report(lpn, phase);
      } catch (RuntimeException e) {
        // deleted meanwhile, or a newer generation arrived: its own event answers it
      }
    }
  }

  /** The status an agent writes after acting on every target container of {@code lpn}. */
  public static LivePatchNodeStatus statusFor(LivePatchNode lpn, NodePhase phase) {
    var st = new LivePatchNodeStatus();
    st.observedGeneration = lpn.getMetadata().getGeneration();
    st.phase = phase;
    st.summary = new ProcessSummary();
    long pid = 1000;
    for (TargetPod pod : lpn.getSpec().targets) {
      for (TargetContainer c : pod.containers) {
        st.summary.matched++;
        if (phase == NodePhase.Failed && st.summary.failed == 0) {
          st.summary.failed++;
          st.records.add(record(pod, c, pid++, ProcessResult.Failed, "injected failure"));
        } else if (lpn.getSpec().action == Action.Apply) {
          st.summary.applied++;
        } else {
          st.summary.reverted++;
        }
      }
    }
    if (phase == NodePhase.Failed && st.summary.failed == 0) {
      st.message = "injected node failure";
    }
    st.recordsOmitted = 0;
    st.lastReportTime = Instant.now().toString();
    return st;
  }

  private static ProcessRecord record(TargetPod pod, TargetContainer c, long pid,
      ProcessResult result, String reason) {
    var r = new ProcessRecord();
    r.namespace = pod.namespace;
    r.pod = pod.name;
    r.container = c.name;
    r.containerID = c.containerID;
    r.hostPID = pid;
    r.startTime = 4242L;
    r.result = result;
    r.reason = reason;
    return r;
  }

  /** LivePatchNodes of a LivePatch, by node name. */
  public static Map<String, LivePatchNode> nodesOf(KubernetesClient client, String livePatch) {
    Map<String, LivePatchNode> out = new java.util.TreeMap<>();
    client.resources(LivePatchNode.class).list().getItems().stream()
        .filter(l -> livePatch.equals(l.getSpec().livePatch))
        .forEach(l -> out.put(l.getSpec().nodeName, l));
    return out;
  }

  public static Predicate<LivePatchNode> onNode(String node) {
    return l -> node.equals(l.getSpec().nodeName);
  }

  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.close();
    }
    replies.shutdownNow();
  }
}
