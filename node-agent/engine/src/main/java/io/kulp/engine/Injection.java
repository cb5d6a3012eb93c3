package io.kulp.engine;

import io.kulp.elf.BuildId;
import io.kulp.host.ContainerRoot;
import io.kulp.host.FileStat;
import io.kulp.host.LibraryLookup;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The operations on one process, each seen through from start to end: the checks the engine can
 * make from outside first (so a process that lacks the library is skipped without being touched),
 * then, once per process, the attach to its helper, then the request, the engine's part of each
 * phase the runtime asks for, and the retries of "not now" answers. What each answer of the
 * runtime means is decided by {@link RuntimeError#disposition()}.
 */
final class Injection implements AutoCloseable {
  /** How long a thread sitting between two NOPs (or inside code to rewrite) is waited for. */
  private static final int PLACEMENT_ATTEMPTS = 50;
  /** The first pause before a retry; it doubles with each attempt. */
  private static final long FIRST_BACKOFF_NANOS = 2_000_000;
  /** The consistency check: time kept before the deadline to drop a planned change. */
  private static final long CONSISTENCY_MARGIN_NANOS = 20_000_000;
  /** The longest pause between two stops for the consistency check: each one holds every thread. */
  private static final long MAX_CONSISTENCY_PAUSE_NANOS = 100_000_000;

  private final TargetProcess target;
  private final HelperChannel channel;
  private final int retries;
  private final long deadline;
  private StopClock stops = new StopClock();

  Injection(TargetProcess target, HelperChannel channel, int retries, long deadline) {
    this.target = target;
    this.channel = channel;
    this.retries = retries;
    this.deadline = deadline;
  }

  /** Makes {@code op}; appends the runtime's message. Throws when the process is left as it was. */
  Outcome run(Operation op, StringBuilder message) throws EngineException {
    stops = new StopClock();
    Request request = plan(op);
    long backoff = FIRST_BACKOFF_NANOS;
    for (int attempt = 0;; attempt++) {
      try {
        return execute(request, message);
      } catch (Retry retry) {
        if (attempt >= retries || System.nanoTime() + backoff - deadline > 0) {
          throw EngineException.failed("process " + target.pid + ": " + retry.getMessage() + "; nothing was changed;"
              + " gave up after " + (attempt + 1) + " attempts (retry later, or raise -r or --timeout)");
        }
        LockSupport.parkNanos(backoff);
        backoff *= 2;
      }
    }
  }

  /** The longest time an application thread was held stopped by the last operation, in nanoseconds. */
  long longestThreadStopNanos() {
    return stops.longestNanos();
  }

  /**
   * The request for {@code op}, after the checks that need no stop of anything: a process that
   * does not have the library, has another build of it, or already has the patch is skipped here.
   */
  private Request plan(Operation op) throws EngineException {
    String disabledBy = target.read.state.disabledBy();
    if (disabledBy != null) {
      throw EngineException.skipped(Reason.DISABLED, "runtime disabled: " + disabledBy + " keeps live patching out"
          + " of process " + target.pid + " (see `ulp messages -p " + target.pid + "`)");
    }
    if (op instanceof Operation.Apply a) {
      return applyRequest(Request.APPLY, a.patch(), a.pathInTarget(), null);
    }
    if (op instanceof Operation.RevertAllApply r) {
      return applyRequest(Request.REVERT_ALL_APPLY, r.patch(), r.pathInTarget(), r.library());
    }
    if (op instanceof Operation.Revert r) {
      if (target.read.patches().stream().noneMatch(p -> p.id().equals(r.id().hex()))) {
        throw EngineException.skipped(Reason.NOT_APPLIED, "patch " + r.id().hex() + " is not applied");
      }
      return new Request(Request.REVERT, r.id().bytes(), null, null, null);
    }
    return new Request(Request.REVERT_ALL, null, ((Operation.RevertAll) op).library(), null, null);
  }

  private Request applyRequest(int command, PatchContainer patch, String pathInTarget, String library)
      throws EngineException {
    PatchMetadata meta = patch.apply();
    LibraryLookup lookup;
    try {
      lookup = target.read.find(meta.targetLibrary());
    } catch (IOException e) {
      throw EngineException.failed("cannot read " + meta.targetLibrary() + " of process " + target.pid + ": "
          + e.getMessage());
    }
    if (!(lookup instanceof LibraryLookup.Loaded loaded)) {
      throw EngineException.skipped(Reason.LIBRARY_NOT_LOADED, meta.targetLibrary() + " is not loaded in process "
          + target.pid);
    }
    Optional<BuildId> buildId = loaded.buildId();
    if (buildId.isEmpty()) {
      throw EngineException.skipped(Reason.NO_BUILD_ID, meta.targetLibrary() + " in process " + target.pid
          + " has no build-id");
    }
    if (!buildId.get().equals(meta.targetBuildId())) {
      throw EngineException.skipped(Reason.OTHER_BUILD, meta.targetLibrary() + " buildid mismatch: the patch wants "
          + meta.targetBuildId().hex() + ", process " + target.pid + " has " + buildId.get().hex());
    }
    if (command == Request.APPLY && target.read.patches().stream().anyMatch(p -> p.id().equals(meta.id().hex()))) {
      throw EngineException.skipped(Reason.ALREADY_APPLIED, "patch " + meta.id().hex() + " is already applied");
    }
    String path = pathInTarget != null ? pathInTarget : visiblePath(patch.path());
    Request request = new Request(command, null, library, path, patch.applySection());
    return meta.consistent() ? request.withConsistencyCheck() : request;
  }

  /** Sends {@code request} and sees it through; what the answer means is the runtime error's disposition. */
  private Outcome execute(Request request, StringBuilder message) throws EngineException {
    Response response = complete(channel.send(request, deadline));
    if (response.error().disposition() == RuntimeError.Disposition.CHECK_CONSISTENCY && !request.consistent()) {
      // A revert of a patch packed with --consistent: only the runtime knows it was.
      request = request.withConsistencyCheck();
      response = complete(channel.send(request, deadline));
    }
    RuntimeError error = response.error();
    String text = response.message().isEmpty() ? error.text() : response.message();
    return switch (error.disposition()) {
      case DONE -> {
        message.append(response.message());
        yield request.command() == Request.APPLY || request.command() == Request.REVERT_ALL_APPLY ? Outcome.APPLIED
            : Outcome.REVERTED;
      }
      case SKIP -> throw EngineException.skipped(error.reason(), text);
      case RETRY -> throw new Retry(text);
      case FAIL, CHECK_CONSISTENCY -> throw EngineException.failed(text + error.hint());
    };
  }

  /** Thrown when the runtime says "not now": the whole operation is tried again. */
  private static final class Retry extends RuntimeException {
    Retry(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The container's absolute path, after checking the target sees the very same file there. The
   * path is resolved inside the target's root as its dlopen will resolve it: links are followed,
   * but never out of that root (see {@link ContainerRoot}).
   */
  private String visiblePath(Path container) throws EngineException {
    try {
      String path = container.toRealPath().toString();
      Optional<FileStat> ours;
      try (ContainerRoot root = ContainerRoot.of(Path.of("/proc/self"))) {
        ours = root.stat(path);
      }
      Optional<FileStat> seen;
      try (ContainerRoot root = ContainerRoot.of(target.procPid)) {
        seen = root.stat(path);
      }
      if (ours.isEmpty() || seen.isEmpty() || !seen.get().sameFile(ours.get())) {
        throw EngineException.failed(path + " is not visible at the same path inside process " + target.pid
            + " (it runs in another mount namespace, e.g. a container): copy the patch into its filesystem, "
            + "or let the kulp node agent stage it");
      }
      return path;
    } catch (IOException e) {
      throw EngineException.failed("cannot check that process " + target.pid + " sees " + container + ": "
          + e.getMessage());
    }
  }

  /** Does the engine's part of every phase until the runtime is done. */
  private Response complete(Response response) throws EngineException {
    for (int round = 0; round < 4; round++) {
      if (response.phase() == Response.PLANNED) {
        return commitConsistently(response);
      }
      if (response.phase() == Response.NEED_CHECK) {
        long[] checks = response.checks();
        if (!placementClear(() -> QuiescenceCheck.findThreadAt(target, channel.tid(), checks, deadline, stops))) {
          channel.send(Request.of(Request.ABORT), deadline, true);
          throw new Retry("a thread kept sitting at a function entry to patch");
        }
        channel.pause("checked");
      } else if (response.phase() == Response.NEED_WRITES) {
        writeWithEveryThreadStopped(response);
      } else {
        return response;
      }
      response = channel.send(Request.of(Request.COMMIT), deadline, true);
    }
    throw EngineException.failed("process " + target.pid + ": the runtime kept asking for more; giving up");
  }

  private void writeWithEveryThreadStopped(Response response) throws EngineException {
    List<Response.CodeWrite> inert = response.writes().stream().filter(w -> !w.live()).toList();
    List<Response.CodeWrite> live = response.writes().stream().filter(Response.CodeWrite::live).toList();
    for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
      try (WorldStop world = WorldStop.stopAll(target, channel.tid(), deadline, stops)) {
        Optional<String> inside = world.threadInside(response.forbidden());
        channel.pause("world stopped");
        if (inside.isEmpty()) {
          world.write(inert);
          channel.pause("inert written");
          world.write(live);
          channel.pause("live written");
          return;
        }
      }
      pauseBeforeRetry();
    }
    channel.send(Request.of(Request.ABORT), deadline, true);
    throw new Retry("a thread kept running the code to rewrite");
  }

  /**
   * The consistency check, then the change, within one stop of every thread: the check is retried
   * (the world let go in between, for longer each time) until no thread runs or will return into
   * the code the change stops calling, or the deadline nears. Writes the engine must make (the
   * process forbids writable code) are made within that same stop.
   */
  private Response commitConsistently(Response planned) throws EngineException {
    long pause = FIRST_BACKOFF_NANOS / 2;
    for (;;) {
      Optional<String> busy;
      try (WorldStop world = WorldStop.stopAll(target, channel.tid(), deadline, stops)) {
        busy = ConsistencyCheck.findThreadIn(target, world, planned.checks());
        channel.pause("consistency checked");
        if (busy.isEmpty()) {
          Response response = channel.send(Request.of(Request.COMMIT), deadline);
          if (response.phase() == Response.NEED_WRITES) {
            if (world.threadInside(response.forbidden()).isPresent()) {
              // In the padding, outside the functions' own code: prepared now, so start over.
              abortQuietly();
              throw new Retry("a thread kept running the code to rewrite");
            }
            world.write(response.writes().stream().filter(w -> !w.live()).toList());
            world.write(response.writes().stream().filter(Response.CodeWrite::live).toList());
            response = channel.send(Request.of(Request.COMMIT), deadline);
          }
          return response;
        }
      } catch (EngineException e) {
        abortQuietly();
        throw e;
      }
      if (System.nanoTime() + pause + CONSISTENCY_MARGIN_NANOS - deadline > 0) {
        abortQuietly();
        throw EngineException.failed("process " + target.pid + ": consistency check: " + busy.get()
            + ", until the time limit; nothing was changed; retry once it has left, or raise --timeout");
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, MAX_CONSISTENCY_PAUSE_NANOS);
    }
  }

  /** Drops the runtime's prepared or planned change; if that fails, the next request drops it. */
  private void abortQuietly() {
    try {
      channel.send(Request.of(Request.ABORT), deadline, true);
    } catch (EngineException e) {
      // past the deadline, or the process is gone: a planned change wrote nothing
    }
  }

  @FunctionalInterface
  private interface Placement {
    Optional<String> busyThread() throws EngineException;
  }

  private boolean placementClear(Placement check) throws EngineException {
    for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
      if (check.busyThread().isEmpty()) {
        return true;
      }
      pauseBeforeRetry();
    }
    return false;
  }

  private void pauseBeforeRetry() throws EngineException {
    if (System.nanoTime() - deadline > 0) {
      throw EngineException.failed("process " + target.pid + ": timed out while a thread kept running the code to"
          + " patch; nothing was changed; retry, or raise --timeout");
    }
    LockSupport.parkNanos(1_000_000);
  }

  /** Lets the helper go, if an operation attached to it. */
  @Override
  public void close() {
    channel.close();
  }
}
