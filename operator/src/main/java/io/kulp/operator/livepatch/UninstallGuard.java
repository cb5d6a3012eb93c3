package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps kulp's admission policies in force while a LivePatch exists.
 *
 * <p>The uninstall guard (deploy/uninstall-guard.yaml) refuses to delete what the reverts need
 * while a LivePatch exists, but the API server applies no admission policy to admission policies:
 * a refused {@code kubectl delete -k deploy/} still deleted the guard itself (and the agents'
 * own-node policies), so a second one went through, leaving every LivePatch and the CRD stuck on
 * their finalizers and every process patched. So while a LivePatch exists, the operator holds a
 * finalizer ({@value #FINALIZER}) on each of kulp's policies and bindings: deleting them marks
 * them for deletion, they stay in force, and every later attempt is refused the same way. Once
 * the last LivePatch is about to go (its reverts done), the operator lets go first, so the
 * documented uninstall removes them at once and never waits on an operator that is gone.
 */
public final class UninstallGuard {

  /** The finalizer the operator holds on kulp's admission policies while a LivePatch exists. */
  static final String FINALIZER = "kulp.io/livepatches-exist";

  /** The API server side: the finalizer on every policy and binding of kulp, added or removed. */
  interface Policies {
    /** Adds {@link #FINALIZER} where it is missing; throws when a write fails. */
    void hold();

    /** Removes {@link #FINALIZER} where it is; throws when a write fails. */
    void release();
  }

  private static final Logger log = LoggerFactory.getLogger(UninstallGuard.class);

  private final Policies policies;
  private boolean held; // by this operator, since it started
  private final Set<String> going = new HashSet<>(); // uids of LivePatches let go, still cached

  UninstallGuard(Policies policies) {
    this.policies = policies;
  }

  /** The guard over kulp's admission policies on the API server of {@code client}. */
  public static UninstallGuard of(KubernetesClient client) {
    return new UninstallGuard(new PolicyFinalizers(client));
  }

  /**
   * A LivePatch exists: the policies must stay. Writes only the first time (and after a release).
   * A failed write is logged and tried again at the next call; it never holds up a rollout.
   */
  synchronized void livePatchExists() {
    if (held) {
      return;
    }
    try {
      policies.hold();
      held = true;
    } catch (RuntimeException e) {
      log.warn("could not keep kulp's admission policies while LivePatches exist ({}); trying again"
          + " at the next reconcile", e.toString());
    }
  }

  /**
   * The LivePatch {@code uid} is about to go. When every LivePatch the cache shows ({@code cached},
   * by uid) has gone or is going, the policies are let go before it, so that nothing holds them
   * once the last LivePatch is gone. LivePatches deleted together each see the others in the cache
   * until they are gone; the last of them to come here lets go. A LivePatch created meanwhile holds
   * them again when it is reconciled. Throws when a write fails: the LivePatch must then wait.
   */
  synchronized void livePatchGoing(String uid, Set<String> cached) {
    going.retainAll(cached); // those the cache no longer shows are gone
    going.add(uid);
    if (going.containsAll(cached)) {
      policies.release();
      held = false;
    }
  }
}
