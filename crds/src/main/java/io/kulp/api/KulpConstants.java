package io.kulp.api;

/**
 * Every name kulp puts on Kubernetes objects or reads from the environment, in one place, so that
 * the operator, the node agent and the manifests agree. All keys live under the {@code kulp.io}
 * domain.
 */
public final class KulpConstants {

  private KulpConstants() {}

  /** API group of the kulp custom resources. */
  public static final String GROUP = "kulp.io";

  /** API version of the kulp custom resources in this module. */
  public static final String VERSION = "v1alpha1";

  // ---- finalizers -------------------------------------------------------------------------

  /**
   * Finalizer the operator puts on every LivePatch. While it is present, deleting the LivePatch
   * first makes every node revert the patch; the operator removes it when the agents have reported
   * (or their nodes are gone), or at once when {@link #ANNOTATION_SKIP_REVERT} is "true".
   */
  public static final String FINALIZER_REVERT = "kulp.io/revert";

  // ---- labels -----------------------------------------------------------------------------

  /** Label on a LivePatchNode: the name of the LivePatch it belongs to (see {@link LabelValues}). */
  public static final String LABEL_LIVEPATCH = "kulp.io/livepatch";

  /**
   * Label on a LivePatchNode: the name of the node it is for. Agents select their own objects with
   * {@code kulp.io/node=<their node name>}. Node names longer than 63 characters cannot be label
   * values; for those the value is {@code spec.nodeName} hashed (see {@link LabelValues}), and
   * agents must also compare {@code spec.nodeName}.
   */
  public static final String LABEL_NODE = "kulp.io/node";

  /** Label on kulp's own workloads (operator and agent pods): which component it is. */
  public static final String LABEL_COMPONENT = "kulp.io/component";

  // ---- annotations ------------------------------------------------------------------------

  /**
   * Annotation on a LivePatch: when "true", deleting it does not revert anything; the finalizer is
   * removed at once and the patched processes keep the patch. For an admin whose agents are gone.
   */
  public static final String ANNOTATION_SKIP_REVERT = "kulp.io/skip-revert";

  /**
   * Annotation on a LivePatchNode, written by the operator: the digest of the rollout its spec
   * belongs to (action, library, patch, mode and target selectors of the LivePatch, plus a suffix
   * while reverting). Agents may ignore it; the operator uses it to tell current work from stale.
   */
  public static final String ANNOTATION_ROLLOUT_DIGEST = "kulp.io/rollout-digest";

  // ---- condition types on LivePatch.status.conditions (kstatus compatible) -----------------

  /** True when the rollout is complete and no targeted node failed. */
  public static final String CONDITION_READY = "Ready";

  /** True while nodes are being worked on or are waiting to be started (not paused). */
  public static final String CONDITION_PROGRESSING = "Progressing";

  /** True when the spec is invalid, or at least one node failed, or the rollout was rolled back. */
  public static final String CONDITION_DEGRADED = "Degraded";

  /**
   * True when every targeted node reported done for the current spec (failures within
   * failurePolicy.maxFailedNodes allowed). {@code kubectl wait --for=condition=Complete lp/NAME}.
   */
  public static final String CONDITION_COMPLETE = "Complete";

  // ---- condition reasons ------------------------------------------------------------------

  /** Reason: the rollout is running. */
  public static final String REASON_ROLLING_OUT = "RollingOut";
  /** Reason: every targeted node is done. */
  public static final String REASON_ALL_NODES_DONE = "AllNodesDone";
  /** Reason: spec.rollout.paused is true. */
  public static final String REASON_PAUSED = "Paused";
  /** Reason: the canary nodes are done and the rollout waits (spec.rollout.canary.pause). */
  public static final String REASON_CANARY_PAUSE = "CanaryPause";
  /** Reason: more nodes failed than failurePolicy.maxFailedNodes and onFailure is Pause. */
  public static final String REASON_FAILURE_POLICY_PAUSE = "FailurePolicyPause";
  /** Reason: more nodes failed than allowed and onFailure is RevertCompleted: nodes revert. */
  public static final String REASON_ROLLED_BACK = "RolledBack";
  /** Reason: some targeted nodes failed. */
  public static final String REASON_NODES_FAILED = "NodesFailed";
  /** Reason: the spec breaks a rule the server's schema could not check. */
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  /** Reason: the LivePatch is being deleted and the nodes revert. */
  public static final String REASON_DELETING = "Deleting";
  /** Reason: nothing failed. */
  public static final String REASON_NO_FAILURES = "NoFailures";
  /** Reason: the rollout is not finished yet. */
  public static final String REASON_NOT_DONE = "NotDone";

  // ---- Kubernetes Event reasons (emitted on LivePatch transitions) --------------------------

  /** Event reason: a node's LivePatchNode was written with a new desired state. */
  public static final String EVENT_NODE_STARTED = "NodeStarted";
  /** Event reason: a condition of the LivePatch changed status. */
  public static final String EVENT_CONDITION_CHANGED = "ConditionChanged";

  // ---- field managers ---------------------------------------------------------------------

  /** Server-side apply field manager of the operator (LivePatchNode spec, LivePatch status). */
  public static final String FIELD_MANAGER_OPERATOR = "kulp-operator";
  /** Server-side apply field manager the node agent must use for LivePatchNode status. */
  public static final String FIELD_MANAGER_AGENT = "kulp-agent";

  // ---- environment variables --------------------------------------------------------------

  /** Operator: namespace of its leader-election Lease and of its Events. Default "default". */
  public static final String ENV_OPERATOR_NAMESPACE = "KULP_OPERATOR_NAMESPACE";
  /** Operator: "false" disables leader election (single replica, tests). Default "true". */
  public static final String ENV_LEADER_ELECTION = "KULP_LEADER_ELECTION";
  /** Operator: name of the leader-election Lease. Default "kulp-operator". */
  public static final String ENV_LEASE_NAME = "KULP_LEASE_NAME";
  /**
   * Operator: its identity in leader election (downward API metadata.name). Default $HOSTNAME, or
   * a random UUID.
   */
  public static final String ENV_POD_NAME = "KULP_POD_NAME";
  /**
   * Operator and agent: TCP port of the health endpoints and /metrics. Default 8080; 0 picks a
   * free port.
   */
  public static final String ENV_HTTP_PORT = "KULP_HTTP_PORT";
  /** Operator and agent: address the HTTP endpoints bind to. Default 0.0.0.0 (in-cluster probes). */
  public static final String ENV_HTTP_BIND_ADDRESS = "KULP_HTTP_BIND_ADDRESS";
  /** Agent: the name of the node it runs on (downward API spec.nodeName). Required. */
  public static final String ENV_NODE_NAME = "KULP_NODE_NAME";
  /**
   * Agent: the host's procfs as the agent sees it (the DaemonSet runs with hostPID, so /proc).
   * Default "/proc".
   */
  public static final String ENV_HOST_PROC = "KULP_HOST_PROC";
  /** Agent: the host's cgroup filesystem root as mounted into the agent. Default "/sys/fs/cgroup". */
  public static final String ENV_CGROUP_ROOT = "KULP_CGROUP_ROOT";
  /**
   * Agent: where patches are staged inside target containers, as paths in the container's own
   * filesystem, separated by ':'; the first whose mount is writable and allows exec is used.
   * Default "/tmp/.kulp:/var/tmp/.kulp:/run/.kulp:/dev/shm/.kulp".
   */
  public static final String ENV_STAGING_DIRS = "KULP_STAGING_DIRS";
  /** Agent: directory of the patch cache (files named by their sha256). Default "/var/cache/kulp". */
  public static final String ENV_PATCH_CACHE_DIR = "KULP_PATCH_CACHE_DIR";
  /**
   * Agent: seconds between two /proc rescans of the Continuous LivePatchNodes (and retries of
   * unfinished ones). Default 10.
   */
  public static final String ENV_RESCAN_SECONDS = "KULP_RESCAN_SECONDS";
  /** Agent: how many processes are patched at once. Default 4. */
  public static final String ENV_PARALLELISM = "KULP_PARALLELISM";
  /**
   * Operator and agent: level of their JSON log lines, error, warn, info or debug, optionally
   * followed by levels of single loggers: "info,io.kulp.agent.work=debug". Default "info".
   */
  public static final String ENV_LOG_LEVEL = "KULP_LOG_LEVEL";
}
