package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.api.v1alpha1.ProcessSummary;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetContainer;
import io.kulp.api.v1alpha1.TargetPod;
import io.kulp.api.v1alpha1.TargetSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Small builders for the planner and aggregator tests (no cluster). */
final class Fixtures {

  static final String DIGEST = "d1";
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private Fixtures() {}

  static LivePatchSpec spec() {
    var spec = new LivePatchSpec();
    spec.target = new TargetSpec();
    spec.patch = new PatchSource();
    spec.patch.url = "https://example/p.so";
    spec.patch.sha256 = "a".repeat(64);
    spec.rollout = new RolloutSpec();
    return spec;
  }

  static List<TargetPod> pods(String node) {
    var pod = new TargetPod();
    pod.namespace = "ns";
    pod.name = "pod-" + node;
    pod.uid = "uid-" + node;
    var c = new TargetContainer();
    c.name = "app";
    c.containerID = "containerd://" + node;
    pod.containers.add(c);
    return List.of(pod);
  }

  /** Node name to the spec of that node, as if each node ran one matching pod. */
  static SortedMap<String, LivePatchNodeSpec> resolved(LivePatchSpec spec, String... nodes) {
    SortedMap<String, LivePatchNodeSpec> out = new TreeMap<>();
    for (String n : nodes) {
      out.put(n, Specs.nodeSpec("lp", spec, n, pods(n)));
    }
    return out;
  }

  /** A LivePatchNode written for {@code digest}, at generation 1, with the given report. */
  static LivePatchNode lpn(LivePatchNodeSpec spec, String digest, NodePhase phase) {
    var lpn = new LivePatchNode();
    lpn.setMetadata(new ObjectMetaBuilder().withName("lp." + spec.nodeName).withGeneration(1L)
        .withAnnotations(Map.of(KulpConstants.ANNOTATION_ROLLOUT_DIGEST, digest)).build());
    lpn.setSpec(Specs.copy(spec));
    if (phase != null) {
      var st = new LivePatchNodeStatus();
      st.observedGeneration = 1L;
      st.phase = phase;
      st.summary = new ProcessSummary();
      st.summary.matched = 3;
      st.summary.applied = phase == NodePhase.Succeeded ? 3 : 2;
      st.summary.failed = phase == NodePhase.Failed ? 1 : 0;
      lpn.setStatus(st);
    }
    return lpn;
  }

  static Map<String, LivePatchNode> existing(LivePatchNode... lpns) {
    Map<String, LivePatchNode> out = new TreeMap<>();
    Arrays.stream(lpns).forEach(l -> out.put(l.getSpec().nodeName, l));
    return out;
  }

  /** The input of a planning step in which every node's agent is alive. */
  static RolloutPlanner.Input input(LivePatchSpec spec, SortedMap<String, LivePatchNodeSpec> resolved,
      Map<String, LivePatchNode> existing, Set<String> clusterNodes) {
    return input(spec, resolved, existing, clusterNodes, clusterNodes);
  }

  /** The input of a planning step in which the agents of {@code liveAgents} only are alive. */
  static RolloutPlanner.Input input(LivePatchSpec spec, SortedMap<String, LivePatchNodeSpec> resolved,
      Map<String, LivePatchNode> existing, Set<String> clusterNodes, Set<String> liveAgents) {
    return new RolloutPlanner.Input("lp", DIGEST, spec.mode == null ? Mode.OneShot : spec.mode,
        spec.rollout, resolved, existing, clusterNodes, liveAgents, null, NOW);
  }

  /** {@code lpn}, annotated as started by the operator at {@code at}. */
  static LivePatchNode startedAt(LivePatchNode lpn, Instant at) {
    var annotations = new java.util.HashMap<>(lpn.getMetadata().getAnnotations());
    annotations.put(KulpConstants.ANNOTATION_STARTED_AT, at.toString());
    lpn.getMetadata().setAnnotations(annotations);
    return lpn;
  }

  static IntOrString count(int n) {
    return new IntOrString(n);
  }
}
