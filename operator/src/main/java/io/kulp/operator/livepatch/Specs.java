package io.kulp.operator.livepatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.RolloutSpec;
import io.kulp.api.v1alpha1.TargetPod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Defaults, digests, copies and comparisons of the API types (which hold data only). */
final class Specs {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private Specs() {}

  static Action action(LivePatchSpec spec) {
    return spec.action == null ? Action.Apply : spec.action;
  }

  static Mode mode(LivePatchSpec spec) {
    return spec.mode == null ? Mode.OneShot : spec.mode;
  }

  /** The default of spec.rollout.nodeTimeout (the CRD's default, for a LivePatch without rollout). */
  static final String DEFAULT_NODE_TIMEOUT = "10m";

  /** spec.rollout.nodeTimeout as written, or its default. */
  static String nodeTimeoutText(RolloutSpec rollout) {
    return rollout == null || rollout.nodeTimeout == null ? DEFAULT_NODE_TIMEOUT : rollout.nodeTimeout;
  }

  /**
   * spec.rollout.nodeTimeout, or its default, as a duration. A value that is no positive duration
   * (possible only under an older CRD; the validator reports it) counts as the default, so that a
   * deletion still ends.
   */
  static Duration nodeTimeout(RolloutSpec rollout) {
    try {
      Duration d = RolloutPlanner.parseDuration(nodeTimeoutText(rollout));
      return d.isNegative() || d.isZero() ? RolloutPlanner.parseDuration(DEFAULT_NODE_TIMEOUT) : d;
    } catch (RuntimeException e) {
      return RolloutPlanner.parseDuration(DEFAULT_NODE_TIMEOUT);
    }
  }

  /** The failure policy's namespaceSelector: whose process failures count (null: every namespace). */
  static LabelSelector failuresCountIn(LivePatchSpec spec) {
    return spec.rollout == null || spec.rollout.failurePolicy == null ? null
        : spec.rollout.failurePolicy.namespaceSelector;
  }

  /**
   * Digest of what a LivePatch rolls out: action, library, patch, mode and target selectors.
   * Rollout settings (concurrency, canary, paused, failure policy) are left out on purpose: changing
   * them steers the running rollout instead of starting a new one.
   */
  static String rolloutDigest(LivePatchSpec spec) {
    String json = JSON.asJson(Arrays.asList(action(spec), spec.library, spec.patch, mode(spec),
        spec.target));
    return Sha256.ofText(json).substring(0, 16);
  }

  /**
   * The LivePatchNode spec of one node, as the LivePatch asks for it. The library and patch are
   * copies (the LivePatch is the cache's); {@code targets} are the resolver's, made for this spec,
   * and kept as they are: a rollout step of thousands of nodes copied each one through JSON.
   */
  static LivePatchNodeSpec nodeSpec(String livePatch, LivePatchSpec spec, String node,
      List<TargetPod> targets) {
    LivePatchNodeSpec s = new LivePatchNodeSpec();
    s.livePatch = livePatch;
    s.nodeName = node;
    s.action = action(spec);
    s.mode = mode(spec);
    s.library = copy(spec.library);
    s.patch = copy(spec.patch);
    s.targets = new ArrayList<>(targets);
    return s;
  }

  /** The same node spec with another action (Revert, on rollback and deletion). */
  static LivePatchNodeSpec withAction(LivePatchNodeSpec spec, Action action) {
    LivePatchNodeSpec s = copy(spec);
    s.action = action;
    return s;
  }

  /** The same node spec with another retry value (see RolloutSpec#retry). */
  static LivePatchNodeSpec withRetry(LivePatchNodeSpec spec, String retry) {
    LivePatchNodeSpec s = copy(spec);
    s.retry = retry;
    return s;
  }

  static boolean sameJson(Object a, Object b) {
    return tree(a).equals(tree(b));
  }

  @SuppressWarnings("unchecked")
  static <T> T copy(T value) {
    return value == null ? null : (T) JSON.convertValue(value, value.getClass());
  }

  private static JsonNode tree(Object value) {
    return JSON.convertValue(value, JsonNode.class);
  }
}
