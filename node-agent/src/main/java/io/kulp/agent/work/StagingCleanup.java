package io.kulp.agent.work;

import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.host.StagingException;
import io.kulp.api.StagedPatchName;
import io.kulp.engine.AppliedPatch;
import io.kulp.engine.Engine;
import io.kulp.engine.EngineException;
import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the patch files the agent staged in a container once no process of that container has
 * them applied any more: after a revert, and after an apply that no process of the container
 * took (skipped or failed). A file some process still uses stays.
 */
final class StagingCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(StagingCleanup.class);

  private final Engine engine;
  private final ContainerFiles files;
  private final List<String> dirs;
  private final Path procRoot;

  StagingCleanup(Engine engine, ContainerFiles files, List<String> dirs, Path procRoot) {
    this.engine = engine;
    this.files = files;
    this.dirs = dirs;
    this.procRoot = procRoot;
  }

  /** Cleans the containers of the processes just worked on; {@code all} is every process found. */
  void afterPass(List<ProcessTarget> worked, List<ProcessTarget> all) {
    Map<String, List<ProcessTarget>> byContainer = new LinkedHashMap<>();
    Set<String> touched = new HashSet<>();
    worked.forEach(t -> touched.add(t.containerID()));
    for (ProcessTarget t : all) {
      if (touched.contains(t.containerID())) {
        byContainer.computeIfAbsent(t.containerID(), k -> new java.util.ArrayList<>()).add(t);
      }
    }
    byContainer.values().forEach(this::clean);
  }

  private void clean(List<ProcessTarget> processes) {
    Set<String> inUse = new HashSet<>();
    ProcessTarget live = null;
    for (ProcessTarget t : processes) {
      try {
        for (AppliedPatch p : engine.patches(t.pid())) {
          inUse.add(p.path());
        }
        live = t;
      } catch (EngineException e) {
        // no runtime, or gone: it holds nothing
      }
    }
    if (live == null) {
      return;
    }
    for (String dir : dirs) {
      for (String name : staged(live.pid(), dir)) {
        String path = dir + "/" + name;
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
    }
  }

  /**
   * The names of staged patches in {@code dir} of the process's filesystem. Only names are read
   * here (removal resolves the path safely inside the container).
   */
  private List<String> staged(int pid, String dir) {
    try (Stream<Path> entries = Files.list(ProcessEntry.of(procRoot, pid).resolve("root").resolve(dir.substring(1)))) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> StagedPatchName.sha256Of(n).isPresent()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
