package io.kulp.engine;

import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchId;

/** What to do to a process. */
public sealed interface Operation {

  /** A short name for results: the patch file and id, or the library. */
  String describe();

  /** What kind of operation, for metrics and logs: apply, revert, revert_all or revert_all_apply. */
  String kind();

  /**
   * Apply a patch container.
   *
   * @param pathInTarget where the target finds the container, in its own mount namespace; null to use
   *     the container's own path (the engine checks the target sees the same file there)
   */
  record Apply(PatchContainer patch, String pathInTarget) implements Operation {
    public Apply(PatchContainer patch) {
      this(patch, null);
    }

    @Override
    public String kind() {
      return "apply";
    }

    @Override
    public String describe() {
      return patch.path().getFileName() + " (" + patch.apply().id().hex() + ")";
    }
  }

  /** Revert one applied patch, wherever it sits in its functions' stacks. */
  record Revert(PatchId id, String name) implements Operation {
    @Override
    public String kind() {
      return "revert";
    }

    @Override
    public String describe() {
      return name + " (" + id.hex() + ")";
    }
  }

  /** Revert every kulp patch of a library, whoever applied it. */
  record RevertAll(String library) implements Operation {
    @Override
    public String kind() {
      return "revert_all";
    }

    @Override
    public String describe() {
      return "all patches of " + library;
    }
  }

  /** Revert every patch of a library, then apply a new one, as one change. */
  record RevertAllApply(String library, PatchContainer patch, String pathInTarget) implements Operation {
    @Override
    public String kind() {
      return "revert_all_apply";
    }

    @Override
    public String describe() {
      return "all patches of " + library + ", then " + patch.path().getFileName() + " (" + patch.apply().id().hex() + ")";
    }
  }
}
