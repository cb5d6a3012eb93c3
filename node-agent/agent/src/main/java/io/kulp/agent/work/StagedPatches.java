package io.kulp.agent.work;

import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.host.StagingException;
import io.kulp.agent.patch.VerifiedPatch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The staging of one patch into the target containers during one pass: once per container (the
 * first process that needs it writes it), remembered by container ID.
 */
final class StagedPatches {
  private final ContainerFiles files;
  private final List<String> dirs;
  private final VerifiedPatch patch;
  private final Map<String, CompletableFuture<Object>> byContainer = new ConcurrentHashMap<>();

  StagedPatches(ContainerFiles files, List<String> dirs, VerifiedPatch patch) {
    this.files = files;
    this.dirs = dirs;
    this.patch = patch;
  }

  /**
   * The path of the patch inside the container of {@code target}, staging it on first use. The
   * other processes of the container wait for that staging (no lock is held meanwhile, so a staging
   * that hangs holds up only its own container, until the deadline gives up on its processes).
   */
  String pathFor(ProcessTarget target) throws StagingException {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> first = byContainer.putIfAbsent(target.containerID(), mine);
    if (first == null) {
      first = mine;
      try {
        mine.complete(files.stage(target.pid(), dirs, patch.stagedName(), patch.file(), patch.sha256()));
      } catch (StagingException e) {
        mine.complete(e);
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
    }
    Object staged;
    try {
      staged = first.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StagingException("interrupted while waiting for the patch to be staged in " + target.containerID());
    } catch (ExecutionException e) {
      throw new StagingException("staging the patch failed: " + e.getCause());
    }
    if (staged instanceof StagingException e) {
      throw new StagingException(e.getMessage());
    }
    return (String) staged;
  }
}
