package io.kulp.agent.work;

import io.kulp.api.v1alpha1.LivePatchNodeStatus;

/** Where the reconciler's reports go: the single status writer. */
public interface StatusSink {

  /** Reports {@code status} for the LivePatchNode {@code name} with metadata.uid {@code uid}. */
  void submit(String name, String uid, LivePatchNodeStatus status);
}
