package io.kulp.agent.work;

import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.host.StagingException;
import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Engine;
import io.kulp.engine.EngineException;
import io.kulp.engine.ProcessPool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The patch files the agent stages inside target containers: staged once per container and pass
 * ({@link #forPass}), and removed once no process of that container has them applied any more
 * ({@link #cleanAfterPass}): after a revert, and after an apply that no process of the container
 * took (skipped or failed). A file some process still uses stays.
 */
final class ContainerStaging {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerStaging.class);

  private final Engine engine;
  private final ContainerFiles files;
  private final List<String> dirs;

  /**
   * @param engine reads which patches the processes use
   * @param files writes, lists and removes files inside containers
   * @param dirs the candidate staging directories inside containers, in order of preference
   */
  ContainerStaging(Engine engine, ContainerFiles files, List<String> dirs) {
    this.engine = engine;
    this.files = files;
    this.dirs = dirs;
  }

  /** The staging of {@code patch} for one pass: once per container, by the first process that needs it. */
  StagedPatches forPass(VerifiedPatch patch) {
    return new StagedPatches(files, dirs, patch);
  }

  /**
   * Cleans the containers of the processes just worked on; {@code all} is every process found.
   * Each container is cleaned on {@code pool}, within its deadline: reading its processes and
   * files may hang like any other work on them.
   */
  void cleanAfterPass(List<ProcessTarget> worked, List<ProcessTarget> all, ProcessPool pool) {
    Map<String, List<ProcessTarget>> byContainer = new LinkedHashMap<>();
    Set<String> touched = new HashSet<>();
    worked.forEach(t -> touched.add(t.containerID()));
    for (ProcessTarget t : all) {
      if (touched.contains(t.containerID())) {
        byContainer.computeIfAbsent(t.containerID(), k -> new ArrayList<>()).add(t);
      }
    }
    pool.map(List.copyOf(byContainer.entrySet()), e -> "clean " + e.getKey(), e -> clean(e.getValue()), (e, why) -> {
      LOG.atWarn().addKeyValue("containerID", e.getKey()).log("cleaning staged patches: " + why);
      return false;
    });
  }

  /** Removes what no process of one container uses; whether a live process was found to do it through. */
  private boolean clean(List<ProcessTarget> processes) {
    Set<String> inUse = new HashSet<>();
    ProcessTarget live = null;
    for (ProcessTarget t : processes) {
      try {
        for (AppliedPatch p : engine.read(t.pid()).patches()) {
          inUse.add(p.path());
        }
        live = t;
      } catch (EngineException e) {
        // no runtime, or gone: it holds nothing
      }
    }
    if (live == null) {
      return false;
    }
    for (String path : files.staged(live.pid(), dirs)) {
      if (!inUse.contains(path)) {
        try {
          files.remove(live.pid(), path);
          LOG.atInfo().addKeyValue("containerID", live.containerID()).addKeyValue("path", path)
              .log("removed a staged patch no process uses");
        } catch (StagingException e) {
          LOG.atWarn().addKeyValue("containerID", live.containerID()).log(e.getMessage());
        }
      }
    }
    return true;
  }
}
