package io.kulp.api.v1alpha1;

/** Whether a LivePatch also covers processes that start after the rollout. */
public enum Mode {
  /** Only the processes and pods present while the rollout runs. */
  OneShot,
  /** Also processes and pods that start later, as long as the LivePatch exists. */
  Continuous
}
