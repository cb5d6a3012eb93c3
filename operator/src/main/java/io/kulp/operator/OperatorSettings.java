package io.kulp.operator;

import io.kulp.api.KulpConstants;
import java.util.Map;
import java.util.UUID;

/**
 * The operator's settings, from environment variables (names in {@link KulpConstants}).
 *
 * @param namespace namespace of the leader-election Lease (Events about LivePatches, which are
 *     cluster-scoped, go to {@code default}: see {@code EventRecorder})
 * @param leaderElection whether to elect a leader among replicas
 * @param leaseName name of the Lease
 * @param identity this replica's identity in leader election
 * @param exitWhenNoLongerLeader exit the JVM when leadership is lost, so that two replicas never
 *     reconcile at once (true in production; false for tests that stop an operator in-process)
 * @param httpPort port of /healthz, /startup and /metrics (0: any free port)
 * @param bindAddress address the HTTP endpoints bind to
 */
public record OperatorSettings(String namespace, boolean leaderElection, String leaseName,
    String identity, boolean exitWhenNoLongerLeader, int httpPort, String bindAddress) {

  public static OperatorSettings fromEnv(Map<String, String> env) {
    return new OperatorSettings(
        env.getOrDefault(KulpConstants.ENV_OPERATOR_NAMESPACE, KulpConstants.SYSTEM_NAMESPACE),
        !"false".equalsIgnoreCase(env.getOrDefault(KulpConstants.ENV_LEADER_ELECTION, "true")),
        env.getOrDefault(KulpConstants.ENV_LEASE_NAME, "kulp-operator"),
        env.getOrDefault(KulpConstants.ENV_POD_NAME,
            env.getOrDefault("HOSTNAME", UUID.randomUUID().toString())),
        true,
        Integer.parseInt(env.getOrDefault(KulpConstants.ENV_HTTP_PORT, "8080")),
        env.getOrDefault(KulpConstants.ENV_HTTP_BIND_ADDRESS, "0.0.0.0"));
  }
}
