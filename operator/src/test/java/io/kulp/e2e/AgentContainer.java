package io.kulp.e2e;

import static org.awaitility.Awaitility.await;

import io.kulp.api.KulpConstants;
import io.kulp.testing.docker.DockerCli;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent image run the way deploy/agent/daemonset.yaml runs it, with docker: host PID
 * namespace, root with every capability dropped but the DaemonSet's, no new privileges, the
 * runtime's default seccomp profile, read-only root filesystem with /tmp and the cache as
 * (exec-able, like emptyDir) tmpfs, the host cgroup filesystem read-only at /host/sys/fs/cgroup,
 * and the DaemonSet's memory limit. Host network, so that it reaches the API server on loopback.
 */
final class AgentContainer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final String id;

  private AgentContainer(String id) {
    this.id = id;
  }

  static AgentContainer start(String image, String node, Path kubeconfig, List<String> capabilities) {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    List<String> run = new ArrayList<>(List.of("run", "--detach", "--label", DockerCli.TEST_LABEL + "=true",
        "--network", "host", "--pid", "host", "--user", "0", "--cap-drop", "ALL"));
    capabilities.forEach(c -> run.addAll(List.of("--cap-add", c)));
    run.addAll(List.of("--security-opt", "no-new-privileges", "--read-only", "--memory", "192m",
        "--tmpfs", "/tmp:rw,exec,size=64m", "--tmpfs", "/var/cache/kulp:rw,size=64m",
        "--volume", "/sys/fs/cgroup:/host/sys/fs/cgroup:ro",
        "--volume", kubeconfig.toAbsolutePath() + ":/etc/kulp/kubeconfig:ro",
        "--env", "KUBECONFIG=/etc/kulp/kubeconfig",
        "--env", KulpConstants.ENV_NODE_NAME + "=" + node,
        // what the DaemonSet's downward API gives: the pod the token is bound to, its namespace
        "--env", KulpConstants.ENV_POD_NAME + "=" + ServiceAccountKubeconfig.agentPod(node),
        "--env", KulpConstants.ENV_AGENT_NAMESPACE + "=" + E2EEnvironment.SYSTEM_NAMESPACE,
        "--env", KulpConstants.ENV_CGROUP_ROOT + "=/host/sys/fs/cgroup",
        "--env", KulpConstants.ENV_PATCH_CACHE_DIR + "=/var/cache/kulp",
        "--env", KulpConstants.ENV_HTTP_BIND_ADDRESS + "=127.0.0.1",
        "--env", KulpConstants.ENV_HTTP_PORT + "=" + port,
        "--env", KulpConstants.ENV_RESCAN_SECONDS + "=2",
        image));
    AgentContainer agent = new AgentContainer(DockerCli.run(run.toArray(String[]::new)));
    URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
    await("agent container ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions().until(() -> {
          if (!"true".equals(DockerCli.run("inspect", "--format", "{{.State.Running}}", agent.id))) {
            throw new AssertionError("agent container exited: " + agent.logs());
          }
          return HTTP.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode() == 200;
        });
    return agent;
  }

  String logs() {
    try {
      Process p = new ProcessBuilder("docker", "logs", id).redirectErrorStream(true).start();
      return new String(p.getInputStream().readAllBytes());
    } catch (IOException e) {
      return "(no logs: " + e.getMessage() + ")";
    }
  }

  /** Runs {@code command} inside the agent's container, as `kubectl exec` into an agent pod would. */
  String exec(String... command) {
    List<String> args = new ArrayList<>(List.of("exec", id));
    args.addAll(List.of(command));
    return DockerCli.run(args.toArray(String[]::new));
  }

  @Override
  public void close() {
    DockerCli.run("rm", "--force", id);
  }
}
