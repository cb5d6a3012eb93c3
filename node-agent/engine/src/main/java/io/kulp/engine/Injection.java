package io.kulp.engine;

import io.kulp.elf.BuildId;
import io.kulp.patch.PatchContainer;
import io.kulp.patch.PatchMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * One operation on one process whose runtime is reachable through {@code channel}: the checks
 * the engine can make from outside first (so a process that lacks the library is skipped without
 * being touched), then the request, and the engine's part of each phase the runtime asks for.
 */
final class Injection {
  /** How long a thread sitting between two NOPs (or inside code to rewrite) is waited for. */
  private static final int PLACEMENT_ATTEMPTS = 50;

  private final TargetProcess target;
  private final TargetLibraries libraries;
  private final long deadline;
  private final StopClock stops = new StopClock();
  private HelperChannel channel;
  private int flags;

  Injection(TargetProcess target, TargetLibraries libraries, long deadline) {
    this.target = target;
    this.libraries = libraries;
    this.deadline = deadline;
  }

  /**
   * The request for {@code op}, after the checks that need no stop of anything: a process that
   * does not have the library, has another build of it, or already has the patch is skipped here.
   */
  Request plan(Operation op) throws EngineException {
    Request request;
    if (op instanceof Operation.Apply a) {
      request = applyRequest(Request.APPLY, a.patch(), a.pathInTarget(), null);
    } else if (op instanceof Operation.RevertAllApply r) {
      request = applyRequest(Request.REVERT_ALL_APPLY, r.patch(), r.pathInTarget(), r.library());
    } else if (op instanceof Operation.Revert r) {
      if (applied(target).stream().noneMatch(p -> p.id().equals(r.id().hex()))) {
        throw EngineException.skipped("patch " + r.id().hex() + " is not applied");
      }
      request = new Request(Request.REVERT, flags, 0, r.id().bytes(), null, null, null);
    } else {
      request = new Request(Request.REVERT_ALL, flags, 0, null, ((Operation.RevertAll) op).library(), null, null);
    }
    return request;
  }

  /** Sends a planned request through {@code channel} and sees it through; appends the runtime's message. */
  Outcome execute(HelperChannel channel, int flags, Request planned, StringBuilder message) throws EngineException {
    this.channel = channel;
    this.flags = flags;
    Request request = new Request(planned.command(), flags, 0, planned.patchId(), planned.library(), planned.path(),
        planned.metadata());
    Response response = complete(channel.send(request, deadline));
    RuntimeError error = response.error();
    if (error == RuntimeError.OK) {
      message.append(response.message());
      return request.command() == Request.APPLY || request.command() == Request.REVERT_ALL_APPLY ? Outcome.APPLIED
          : Outcome.REVERTED;
    }
    String text = response.message().isEmpty() ? error.text() : response.message();
    if (error.skips() || error == RuntimeError.ALREADY_APPLIED || error == RuntimeError.NOT_APPLIED) {
      throw EngineException.skipped(text);
    }
    if (error == RuntimeError.AGAIN || error == RuntimeError.BUSY) {
      throw new Retry(text);
    }
    throw EngineException.failed(text + hint(error));
  }

  private static String hint(RuntimeError error) {
    return switch (error) {
      case DLOPEN -> " (is the container readable inside the process's filesystem?)";
      case PADDING -> " (the target must be built with -fpatchable-function-entry=16,14)";
      case BAD_METADATA, CONTAINER_MISMATCH -> " (repack the container with `ulp packer`)";
      case WRITE -> " (the process refuses code writes; see `ulp messages -p PID`)";
      default -> "";
    };
  }

  /** The longest time an application thread was held stopped, in nanoseconds. */
  long longestThreadStopNanos() {
    return stops.longestNanos();
  }

  /** Thrown when the runtime says "not now": the caller retries the whole operation. */
  static final class Retry extends RuntimeException {
    Retry(String message) {
      super(message, null, false, false);
    }
  }

  private Request applyRequest(int command, PatchContainer patch, String pathInTarget, String library)
      throws EngineException {
    PatchMetadata meta = patch.apply();
    Optional<BuildId> loaded = libraries.buildId(target, meta.targetLibrary());
    if (loaded == null) {
      throw EngineException.skipped(meta.targetLibrary() + " is not loaded in process " + target.pid);
    }
    if (loaded.isEmpty()) {
      throw EngineException.skipped(meta.targetLibrary() + " in process " + target.pid + " has no build-id");
    }
    if (!loaded.get().equals(meta.targetBuildId())) {
      throw EngineException.skipped(meta.targetLibrary() + " build-id mismatch: the patch wants "
          + meta.targetBuildId().hex() + ", process " + target.pid + " has " + loaded.get().hex());
    }
    if (command == Request.APPLY && applied(target).stream().anyMatch(p -> p.id().equals(meta.id().hex()))) {
      throw EngineException.skipped("patch " + meta.id().hex() + " is already applied");
    }
    String path = pathInTarget != null ? pathInTarget : visiblePath(patch.path());
    return new Request(command, flags, 0, null, library, path, patch.applySection());
  }

  static List<AppliedPatch> applied(TargetProcess target) throws EngineException {
    if (target.state.patches() == 0) {
      return List.of(); // the header read when the process was opened says so: no more reads
    }
    try {
      return RuntimeReader.patches(target);
    } catch (NativeError e) {
      throw EngineException.failed("cannot read the patches of process " + target.pid + ": " + e.getMessage());
    }
  }

  /** The container's absolute path, after checking the target sees the very same file there. */
  private String visiblePath(Path container) throws EngineException {
    try {
      Path real = container.toRealPath();
      Path seen = target.procPid.resolve("root").resolve(real.toString().substring(1));
      if (!Files.exists(seen) || !Files.isSameFile(seen, real)) {
        throw EngineException.failed(real + " is not visible at the same path inside process " + target.pid
            + " (it runs in another mount namespace, e.g. a container): copy the patch into its filesystem, "
            + "or let the kulp node agent stage it");
      }
      return real.toString();
    } catch (IOException e) {
      throw EngineException.failed("cannot check that process " + target.pid + " sees " + container + ": "
          + e.getMessage());
    }
  }

  /** Does the engine's part of every phase until the runtime is done. */
  private Response complete(Response response) throws EngineException {
    for (int round = 0; round < 4; round++) {
      if (response.phase() == Response.NEED_CHECK) {
        long[] checks = response.checks();
        if (!placementClear(() -> QuiescenceCheck.findThreadAt(target, channel.tid(), checks, deadline, stops))) {
          channel.send(Request.of(Request.ABORT, flags), deadline, true);
          throw new Retry("a thread kept sitting at a function entry to patch");
        }
        channel.pause("checked");
      } else if (response.phase() == Response.NEED_WRITES) {
        writeWithEveryThreadStopped(response);
      } else {
        return response;
      }
      response = channel.send(Request.of(Request.COMMIT, flags), deadline, true);
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
    channel.send(Request.of(Request.ABORT, flags), deadline, true);
    throw new Retry("a thread kept running the code to rewrite");
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
}
