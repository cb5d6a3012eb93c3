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

  /**
   * Annotation on a LivePatchNode, written by the operator with each new desired state: when it
   * started the node on it (RFC 3339). A node without a final report spec.rollout.nodeTimeout
   * after that fails. Agents may ignore it.
   */
  public static final String ANNOTATION_STARTED_AT = "kulp.io/started-at";

  /**
   * Annotation on an agent's Lease ({@link AgentLeases}): the full name of the node it announces
   * (the Lease name is hashed for very long node names). The operator requires it to match.
   */
  public static final String ANNOTATION_NODE_NAME = "kulp.io/node-name";

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

  /**
   * kstatus' Reconciling: True while the rollout has not reached an end state (rolling out, paused,
   * in its canary pause, rolling back); its reason says which. kstatus reads True as InProgress.
   * Never True together with {@link #CONDITION_STALLED}.
   */
  public static final String CONDITION_RECONCILING = "Reconciling";

  /**
   * kstatus' Stalled: True when the rollout reached an end state other than complete without
   * failed or skipped nodes, and will not move without a change (a new spec.rollout.retry, a spec
   * change, an agent coming back): halted by the failure policy (FailurePolicyPause), rolled back
   * (RolledBack), complete with failures tolerated (NodesFailed) or skipped nodes (NodesSkipped),
   * or an invalid spec (InvalidSpec). kstatus reads True as Failed. Its reason is Ready's.
   */
  public static final String CONDITION_STALLED = "Stalled";

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
  /**
   * Reason (every condition while a LivePatch is being deleted, Degraded aside) and Event reason:
   * the LivePatch is being deleted and the nodes revert.
   */
  public static final String REASON_DELETING = "Deleting";
  /** Reason: nothing failed. */
  public static final String REASON_NO_FAILURES = "NoFailures";
  /** Reason: the rollout is not finished yet. */
  public static final String REASON_NOT_DONE = "NotDone";
  /**
   * Reason (Degraded, and Ready once complete) and Event reason: targeted nodes were not started
   * because no kulp agent is alive on them ({@link AgentLeases}).
   */
  public static final String REASON_NODES_SKIPPED = "NodesSkipped";
  /**
   * Event reason (Warning), and Degraded's reason while a LivePatch is being deleted: some nodes
   * have not reverted it and will not be waited for: no agent there, its node gone, a revert that
   * failed or did not finish within nodeTimeout.
   */
  public static final String REASON_NOT_REVERTED = "NotReverted";

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

  /** Where deploy/ installs the operator and the agents: the default of their namespace settings. */
  public static final String SYSTEM_NAMESPACE = "kulp-system";
  /** Where deploy/ keeps the patches' ConfigMaps: the only namespace whose ConfigMaps agents read. */
  public static final String PATCHES_NAMESPACE = "kulp-patches";

  /**
   * Operator: its namespace (downward API): its leader-election Lease, the agents' Leases, its
   * webhook's Secret. Default {@link #SYSTEM_NAMESPACE}.
   */
  public static final String ENV_OPERATOR_NAMESPACE = "KULP_OPERATOR_NAMESPACE";
  /** Operator: "false" disables leader election (single replica, tests). Default "true". */
  public static final String ENV_LEADER_ELECTION = "KULP_LEADER_ELECTION";
  /** Operator: name of the leader-election Lease. Default "kulp-operator". */
  public static final String ENV_LEASE_NAME = "KULP_LEASE_NAME";
  /**
   * Operator: its identity in leader election; agent: the holderIdentity of its Lease (downward
   * API metadata.name). Default $HOSTNAME, or a random UUID.
   */
  public static final String ENV_POD_NAME = "KULP_POD_NAME";
  /**
   * Operator and agent: TCP port of the health endpoints and /metrics. Default 8080; 0 picks a
   * free port.
   */
  public static final String ENV_HTTP_PORT = "KULP_HTTP_PORT";
  /**
   * Operator and agent: address the HTTP endpoints (and the operator's webhook) bind to. Default
   * 0.0.0.0 (in-cluster probes).
   */
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
   * Default "/kulp/staging/.kulp:/tmp/.kulp:/var/tmp/.kulp:/run/.kulp:/dev/shm/.kulp" (the first is
   * the runtime-injection webhook's staging emptyDir).
   */
  public static final String ENV_STAGING_DIRS = "KULP_STAGING_DIRS";
  /** Agent: directory of the patch cache (files named by their sha256). Default "/var/cache/kulp". */
  public static final String ENV_PATCH_CACHE_DIR = "KULP_PATCH_CACHE_DIR";
  /**
   * Agent: seconds between two /proc rescans of the Continuous LivePatchNodes (and retries of
   * unfinished ones). Default 10.
   */
  public static final String ENV_RESCAN_SECONDS = "KULP_RESCAN_SECONDS";
  /**
   * Agent: the namespace of its Lease (downward API metadata.namespace). The operator reads the
   * agents' Leases in its own namespace ({@link #ENV_OPERATOR_NAMESPACE}): both run in the same
   * one. Default {@link #SYSTEM_NAMESPACE}.
   */
  public static final String ENV_AGENT_NAMESPACE = "KULP_AGENT_NAMESPACE";
  /**
   * Agent: leaseDurationSeconds of its Lease; it renews every quarter of it. Default 40 (the
   * kubelet's node lease).
   */
  public static final String ENV_LEASE_DURATION_SECONDS = "KULP_LEASE_DURATION_SECONDS";
  /** Agent: how many processes are patched at once. Default 4. */
  public static final String ENV_PARALLELISM = "KULP_PARALLELISM";
  /**
   * Operator and agent: level of their JSON log lines, error, warn, info or debug, optionally
   * followed by levels of single loggers: "info,io.kulp.agent.work=debug". Default "info".
   */
  public static final String ENV_LOG_LEVEL = "KULP_LOG_LEVEL";

  // ---- runtime injection (the operator's mutating webhook; docs/operations.md, "Onboarding workloads")

  /**
   * Label on a namespace or a pod: {@link #INJECT_ENABLED} opts its pods into runtime injection,
   * {@link #INJECT_DISABLED} opts them out. A namespace's "disabled" and a pod's "disabled" always
   * win; kube-system and kulp's own namespaces are never injected.
   */
  public static final String LABEL_INJECT = "kulp.io/inject";
  /** Value of {@link #LABEL_INJECT} that opts in. */
  public static final String INJECT_ENABLED = "enabled";
  /** Value of {@link #LABEL_INJECT} that opts out. */
  public static final String INJECT_DISABLED = "disabled";
  /**
   * Annotation the webhook puts on a pod it injected: the names of the containers that got the
   * runtime, comma-separated. Its presence makes every later invocation leave the pod alone.
   */
  public static final String ANNOTATION_INJECTED = "kulp.io/injected";
  /**
   * Annotation the webhook puts on an opted-in pod: why a container (or the whole pod, or the
   * staging directory) was not injected, "; "-separated "name: reason" entries.
   */
  public static final String ANNOTATION_INJECT_SKIPPED = "kulp.io/inject-skipped";
  /**
   * Pod annotation set by its owner: the only containers to inject, comma-separated. Naming a
   * container also overrides the webhook's guess that its image is musl-based (Alpine).
   */
  public static final String ANNOTATION_INJECT_CONTAINERS = "kulp.io/inject-containers";
  /** Pod annotation set by its owner: containers never to inject, comma-separated. */
  public static final String ANNOTATION_SKIP_CONTAINERS = "kulp.io/skip-containers";
  /** Where an injected container finds the runtime (a read-only emptyDir, filled by an init container). */
  public static final String INJECTED_RUNTIME_DIR = "/kulp/runtime";
  /** The runtime in an injected container: what the webhook appends to LD_PRELOAD. */
  public static final String INJECTED_RUNTIME = INJECTED_RUNTIME_DIR + "/libpulp.so";
  /**
   * Mount point of the writable, exec-allowed, sticky (1777) emptyDir the webhook gives an injected
   * container for staged patches; the agent tries {@link #INJECTED_STAGING_DIR} below it first.
   */
  public static final String INJECTED_STAGING_MOUNT = "/kulp/staging";
  /** The agent's own staging directory inside {@link #INJECTED_STAGING_MOUNT}. */
  public static final String INJECTED_STAGING_DIR = INJECTED_STAGING_MOUNT + "/.kulp";
  /**
   * Operator: the runtime image the webhook's init container runs (deploy/images/runtime). Unset:
   * the webhook is not started.
   */
  public static final String ENV_RUNTIME_IMAGE = "KULP_RUNTIME_IMAGE";
  /** Operator: HTTPS port of the webhook. Default 8443. */
  public static final String ENV_WEBHOOK_PORT = "KULP_WEBHOOK_PORT";
  /**
   * Operator: who manages the webhook's certificate: "kulp" (generated, stored in the Secret,
   * rotated, caBundle kept current) or "external" (cert-manager writes the Secret and the
   * caBundle; the operator only serves what the Secret holds). Default "kulp".
   */
  public static final String ENV_WEBHOOK_TLS = "KULP_WEBHOOK_TLS";
}
