package io.kulp.agent.work;

import io.kulp.agent.host.ContainerFiles;
import io.kulp.agent.ops.AgentMetrics;
import io.kulp.agent.patch.PatchStore;
import io.kulp.engine.Engine;
import io.kulp.host.ContainerProcesses;
import io.kulp.host.HostPaths;
import java.util.List;

/**
 * What the reconciler works with: the host's files, the engine, the container filesystems, the
 * patch store, the pod watch and the metrics.
 *
 * @param stagingDirs candidate staging directories inside the containers
 */
public record NodeReconcilerParts(HostPaths host, ContainerProcesses containers, PodLookup pods, Engine engine,
    ContainerFiles files, PatchStore patches, List<String> stagingDirs, AgentMetrics metrics) {}
