package io.kulp.e2e;

import static org.awaitility.Awaitility.await;

import io.kulp.api.KulpConstants;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node agent started through its launcher (node-agent/agent/kulp-agent) as a host process, with its
 * own KULP_NODE_NAME, the agent ServiceAccount's kubeconfig, and only the capabilities that the
 * DaemonSet in deploy/ grants (through setpriv's bounding set), on a loopback HTTP port.
 */
final class AgentProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final HostProcess process;
  private final int port;

  private AgentProcess(HostProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  static AgentProcess start(String node, Path kubeconfig, Path repoRoot, List<String> capabilities,
      Map<String, String> extraEnv) {
    int port = freePort();
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put(KulpConstants.ENV_NODE_NAME, node);
    // the pod its token is bound to (ServiceAccountKubeconfig.forAgentOn), as the downward API gives it
    env.put(KulpConstants.ENV_POD_NAME, ServiceAccountKubeconfig.agentPod(node));
    env.put(KulpConstants.ENV_AGENT_NAMESPACE, E2EEnvironment.SYSTEM_NAMESPACE);
    env.put(KulpConstants.ENV_HTTP_PORT, Integer.toString(port));
    env.put(KulpConstants.ENV_HTTP_BIND_ADDRESS, "127.0.0.1");
    env.put(KulpConstants.ENV_RESCAN_SECONDS, "2");
    env.put(KulpConstants.ENV_LOG_LEVEL, "debug");
    try {
      env.put(KulpConstants.ENV_PATCH_CACHE_DIR, Files.createDirectories(cacheDir(node)).toAbsolutePath().toString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    env.putAll(extraEnv);
    List<String> command = new ArrayList<>();
    if (!capabilities.isEmpty()) {
      String caps = "-all," + String.join(",", capabilities.stream().map(c -> "+" + c.toLowerCase()).toList());
      command.addAll(List.of("setpriv", "--bounding-set=" + caps, "--inh-caps=-all", "--"));
    }
    command.add(repoRoot.resolve("node-agent/agent/kulp-agent").toString());
    HostProcess process = HostProcess.start("agent-" + node, command, env);
    AgentProcess agent = new AgentProcess(process, port);
    await("agent " + node + " ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(() -> {
          if (!process.alive()) {
            throw new AssertionError("agent " + node + " exited: " + process.log());
          }
          return agent.get("/readyz").statusCode() == 200;
        });
    return agent;
  }

  /** The node's patch cache, which outlives an agent (as its hostPath does on a node). */
  static Path cacheDir(String node) {
    return Path.of("target", "e2e-cache", node);
  }

  /** Empties the node's patch cache, so that a new environment starts as a new node would. */
  static void clearCache(String node) throws IOException {
    Path dir = cacheDir(node);
    if (Files.isDirectory(dir)) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GET with an Accept header, as a scraper negotiates the format of /metrics. */
  HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", accept)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one metric series, e.g. {@code kulp_agent_operations_total{action="apply",result="applied"}}. */
  long metric(String series) throws IOException, InterruptedException {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
        .matcher(get("/metrics").body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  long pid() {
    return process.pid();
  }

  /** Resident memory of the agent's JVM, from /proc/PID/status (VmRSS), in KiB. */
  long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for agent " + pid());
  }

  String log() {
    return process.log();
  }

  void kill() {
    process.kill();
  }

  @Override
  public void close() {
    process.close();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
