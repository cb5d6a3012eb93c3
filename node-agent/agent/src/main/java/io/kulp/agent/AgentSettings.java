package io.kulp.agent;

import io.kulp.api.AgentLeases;
import io.kulp.api.KulpConstants;
import io.kulp.engine.StepDelay;
import io.kulp.host.HostPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The node agent's settings, from environment variables (names and defaults in
 * {@link KulpConstants}).
 *
 * @param nodeName the node this agent serves
 * @param host where the host's procfs and cgroup filesystem are
 * @param stagingDirs candidate directories for staged patches, as paths inside the target
 *     containers, in order of preference
 * @param cacheDir where fetched patches are kept, named by their sha256
 * @param rescan how often Continuous LivePatchNodes are rescanned (and unfinished work retried)
 * @param parallelism how many processes are patched at once
 * @param httpPort port of /healthz, /readyz and /metrics (0: any free port)
 * @param bindAddress address the HTTP endpoints bind to
 * @param namespace the namespace of the agent's Lease (its own)
 * @param podName the agent's pod: the holderIdentity of its Lease
 * @param leaseDuration leaseDurationSeconds of its Lease; it renews every quarter of it
 * @param debugStepDelay fault injection for the tracer-death tests ({@link StepDelay#ENV}): zero,
 *     unless the environment sets it (deploy/ never does)
 */
public record AgentSettings(String nodeName, HostPaths host, List<String> stagingDirs, Path cacheDir,
    Duration rescan, int parallelism, int httpPort, String bindAddress, String namespace,
    String podName, Duration leaseDuration, Duration debugStepDelay) {

  /**
   * The staging directory the runtime-injection webhook provides comes first (absent in other
   * containers, where it is passed over), then the usual writable places.
   */
  public static final String DEFAULT_STAGING_DIRS = KulpConstants.INJECTED_STAGING_DIR
      + ":/tmp/.kulp:/var/tmp/.kulp:/run/.kulp:/dev/shm/.kulp";

  public AgentSettings {
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException(KulpConstants.ENV_NODE_NAME
          + " must name the node this agent runs on (downward API: spec.nodeName)");
    }
    for (String dir : stagingDirs) {
      if (!dir.startsWith("/") || dir.equals("/") || dir.contains("/../") || dir.endsWith("/..")) {
        throw new IllegalArgumentException(KulpConstants.ENV_STAGING_DIRS
            + ": each staging directory is an absolute path below /, not '" + dir + "'");
      }
    }
    if (leaseDuration.toSeconds() < 4) {
      throw new IllegalArgumentException(KulpConstants.ENV_LEASE_DURATION_SECONDS + " must be at least 4");
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException(KulpConstants.ENV_PARALLELISM + " must be at least 1");
    }
    stagingDirs = List.copyOf(stagingDirs);
  }

  public static AgentSettings fromEnv(Map<String, String> env) {
    return new AgentSettings(
        env.get(KulpConstants.ENV_NODE_NAME),
        HostPaths.of(Path.of(env.getOrDefault(KulpConstants.ENV_HOST_PROC, "/proc")),
            Path.of(env.getOrDefault(KulpConstants.ENV_CGROUP_ROOT, "/sys/fs/cgroup"))),
        Arrays.stream(env.getOrDefault(KulpConstants.ENV_STAGING_DIRS, DEFAULT_STAGING_DIRS).split(":"))
            .filter(s -> !s.isBlank()).map(s -> s.replaceAll("/+$", "")).toList(),
        Path.of(env.getOrDefault(KulpConstants.ENV_PATCH_CACHE_DIR, "/var/cache/kulp")),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault(KulpConstants.ENV_RESCAN_SECONDS, "10"))),
        Integer.parseInt(env.getOrDefault(KulpConstants.ENV_PARALLELISM, "4")),
        Integer.parseInt(env.getOrDefault(KulpConstants.ENV_HTTP_PORT, "8080")),
        env.getOrDefault(KulpConstants.ENV_HTTP_BIND_ADDRESS, "0.0.0.0"),
        env.getOrDefault(KulpConstants.ENV_AGENT_NAMESPACE, KulpConstants.SYSTEM_NAMESPACE),
        env.getOrDefault(KulpConstants.ENV_POD_NAME,
            env.getOrDefault("HOSTNAME", "kulp-agent-" + env.get(KulpConstants.ENV_NODE_NAME))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault(KulpConstants.ENV_LEASE_DURATION_SECONDS,
            Long.toString(AgentLeases.DEFAULT_DURATION.toSeconds())))),
        StepDelay.fromEnvironment(env));
  }
}
