package io.kulp.api.v1alpha1;

/** What a LivePatch (and each of its LivePatchNodes) asks the processes' runtime to do. */
public enum Action {
  /** Load the patch into the targeted processes. */
  Apply,
  /** Undo this patch in the targeted processes. */
  Revert,
  /** Undo every kulp patch of the named library in the targeted processes, whoever applied it. */
  RevertAll
}
