package io.kulp.agent.work;

import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.host.StagingException;
import io.kulp.agent.patch.VerifiedPatch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The staging of one patch into the target containers during one pass: once per container (the
 * first process that needs it writes it), remembered by container ID.
 */
final class StagedPatches {
  private final ContainerFiles files;
  private final List<String> dirs;
  private final VerifiedPatch patch;
  private final Map<String, Object> byContainer = new ConcurrentHashMap<>();

  StagedPatches(ContainerFiles files, List<String> dirs, VerifiedPatch patch) {
    this.files = files;
    this.dirs = dirs;
    this.patch = patch;
  }

  /** The path of the patch inside the container of {@code target}, staging it on first use. */
  String pathFor(ProcessTarget target) throws StagingException {
    Object staged = byContainer.computeIfAbsent(target.containerID(), id -> {
      try {
        return files.stage(target.pid(), dirs, patch.stagedName(), patch.file(), patch.sha256());
      } catch (StagingException e) {
        return e;
      }
    });
    if (staged instanceof StagingException e) {
      throw new StagingException(e.getMessage());
    }
    return (String) staged;
  }
}
