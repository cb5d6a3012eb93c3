package io.kulp.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.api.KulpConstants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything kulp runs on, for real, on this host: a kube-apiserver with etcd (kube-api-test), on
 * which {@code kubectl apply -k deploy/} installs the CRDs, namespace and RBAC exactly as a user
 * would; the packaged operator (operator/kulp-operator) and node agents (node-agent/agent/kulp-agent)
 * as host processes authenticated as their ServiceAccounts; Node objects for the agents' nodes.
 * Workloads are real docker containers ({@link KfixWorkload}).
 */
public final class E2EEnvironment implements AutoCloseable {
  public static final String SYSTEM_NAMESPACE = "kulp-system";
  /** Where deploy/ keeps the patches' ConfigMaps: the one namespace whose ConfigMaps agents may read. */
  static final String PATCHES_NAMESPACE = "kulp-patches";
  /** The namespace of the test pods. */
  static final String NAMESPACE = "e2e";

  private final KubeAPIServer server;
  private final KubernetesClient admin;
  private final Path adminKubeconfig;
  private final String adminKubeconfigYaml;
  private final Map<String, Path> agentKubeconfigs = new LinkedHashMap<>();
  private final Path repoRoot;
  private final HostProcess operator;
  private final int operatorPort;
  private final Map<String, AgentProcess> agents = new LinkedHashMap<>();

  private E2EEnvironment(KubeAPIServer server, KubernetesClient admin, Path adminKubeconfig, String adminKubeconfigYaml,
      Path repoRoot, HostProcess operator, int operatorPort) {
    this.server = server;
    this.admin = admin;
    this.adminKubeconfig = adminKubeconfig;
    this.adminKubeconfigYaml = adminKubeconfigYaml;
    this.repoRoot = repoRoot;
    this.operator = operator;
    this.operatorPort = operatorPort;
  }

  /** Starts the API server, installs deploy/, starts the operator and one agent per node. */
  static E2EEnvironment start(String... nodes) {
    return start(Map.of(), nodes);
  }

  /** As {@link #start(String...)}, the operator with {@code operatorEnv} added to its environment. */
  static E2EEnvironment start(Map<String, String> operatorEnv, String... nodes) {
    Path repoRoot = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
    KubeAPIServer server = KubeApiTestCluster.startServer();
    E2EEnvironment env = null;
    try {
      String yaml = server.getKubeConfigYaml();
      Path adminKubeconfig = Files.createTempFile("kulp-e2e-admin", ".kubeconfig");
      Files.writeString(adminKubeconfig, yaml, StandardCharsets.UTF_8);
      KubernetesClient admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      installDeploy(repoRoot, adminKubeconfig, admin);
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
          .addToLabels("kulp-e2e", "true").endMetadata().build()).create();
      for (String node : nodes) {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node)
            .addToLabels("kulp-e2e", "true").endMetadata().build()).create();
      }
      Path operatorKubeconfig = ServiceAccountKubeconfig.write(admin, yaml, SYSTEM_NAMESPACE, "kulp-operator");
      int operatorPort = AgentProcess.freePort();
      Map<String, String> environment = new java.util.HashMap<>(Map.of(
          "KUBECONFIG", operatorKubeconfig.toString(),
          KulpConstants.ENV_OPERATOR_NAMESPACE, SYSTEM_NAMESPACE,
          KulpConstants.ENV_POD_NAME, "kulp-operator-e2e",
          KulpConstants.ENV_HTTP_PORT, Integer.toString(operatorPort),
          KulpConstants.ENV_HTTP_BIND_ADDRESS, "127.0.0.1"));
      environment.putAll(operatorEnv);
      HostProcess operator = HostProcess.start("operator",
          List.of(repoRoot.resolve("operator/kulp-operator").toString()), environment);
      env = new E2EEnvironment(server, admin, adminKubeconfig, yaml, repoRoot, operator, operatorPort);
      for (String node : nodes) {
        AgentProcess.clearCache(node); // left by an earlier run in this checkout
        env.startAgent(node, Map.of());
      }
      return env;
    } catch (IOException e) {
      stop(env, server);
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      stop(env, server);
      throw e;
    }
  }

  private static void stop(E2EEnvironment env, KubeAPIServer server) {
    if (env != null) {
      env.close();
    } else {
      server.stop();
    }
  }

  KubernetesClient client() {
    return admin;
  }

  Path repoRoot() {
    return repoRoot;
  }

  /** Starts (or restarts) the agent of {@code node}, with extra environment such as a debug delay. */
  AgentProcess startAgent(String node, Map<String, String> extraEnv) {
    AgentProcess agent = AgentProcess.start(node, agentKubeconfig(node), repoRoot, daemonSetCapabilities(), extraEnv);
    agents.put(node, agent);
    return agent;
  }

  /** The kubeconfig of the agent of {@code node}: the agent ServiceAccount, with a token that names the node. */
  Path agentKubeconfig(String node) {
    return agentKubeconfigs.computeIfAbsent(node, n -> ServiceAccountKubeconfig.forAgentOn(admin, adminKubeconfigYaml, n));
  }

  AgentProcess agent(String node) {
    return agents.get(node);
  }

  /** GET {@code path} of the operator's ops endpoints (loopback), with {@code accept} as the Accept header. */
  HttpResponse<String> operatorGet(String path, String accept) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operatorPort + path))
        .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The logs of the operator and the agents, for failure messages. */
  String logs() {
    StringBuilder out = new StringBuilder("--- operator ---\n").append(tail(operator.log()));
    agents.forEach((node, agent) -> out.append("\n--- agent ").append(node).append(" ---\n").append(tail(agent.log())));
    return out.toString();
  }

  /** The whole logs of the operator and the agents. */
  String fullLogs() {
    StringBuilder out = new StringBuilder(operator.log());
    agents.values().forEach(agent -> out.append(agent.log()));
    return out.toString();
  }

  /** The logs of the operator and the agents, each line parsed as a JSON log event (AssertionError if one is not). */
  List<JsonLogLines> parsedLogs() {
    List<JsonLogLines> logs = new ArrayList<>();
    logs.add(JsonLogLines.parse("operator", operator.log()));
    agents.forEach((node, agent) -> logs.add(JsonLogLines.parse("agent " + node, agent.log())));
    return logs;
  }

  private static String tail(String log) {
    return log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000);
  }

  /** The capabilities deploy/agent/daemonset.yaml adds (after dropping ALL): the agents run with only these. */
  List<String> daemonSetCapabilities() {
    try {
      String yaml = Files.readString(repoRoot.resolve("deploy/agent/daemonset.yaml"));
      Matcher block = Pattern.compile("add:\\n((?:\\s+- [A-Z_]+.*\\n)+)").matcher(yaml);
      List<String> caps = new ArrayList<>();
      if (block.find()) {
        Matcher cap = Pattern.compile("- ([A-Z_]+)").matcher(block.group(1));
        while (cap.find()) {
          caps.add(cap.group(1));
        }
      }
      if (caps.isEmpty()) {
        throw new IllegalStateException("no capabilities found in deploy/agent/daemonset.yaml");
      }
      return caps;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String kubectl(Path repoRoot, Path kubeconfig, String... args) {
    KubectlRun run = runKubectl(repoRoot, kubeconfig, args);
    if (run.exit() != 0) {
      throw new IllegalStateException(run.command() + " failed: " + run.output());
    }
    return run.output();
  }

  /** Runs kubectl and returns its exit code (for `kubectl auth can-i`). */
  static int kubectlExit(Path repoRoot, Path kubeconfig, String... args) {
    return runKubectl(repoRoot, kubeconfig, args).exit();
  }

  private record KubectlRun(String command, int exit, String output) {}

  private static KubectlRun runKubectl(Path repoRoot, Path kubeconfig, String... args) {
    List<String> command = new ArrayList<>(List.of(kubectlBinary(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    String line = String.join(" ", command);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(repoRoot.toFile()).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(line + " did not finish within 120 s: " + out);
      }
      return new KubectlRun(line, p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The kubectl that deploy/dev/kube-test-binaries.sh built (the newest), else kubectl on PATH. */
  private static String kubectlBinary() {
    java.io.File[] versions = Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s").toFile().listFiles();
    if (versions == null || versions.length == 0) {
      return "kubectl";
    }
    java.util.Arrays.sort(versions);
    return versions[versions.length - 1].toPath().resolve("kubectl").toString();
  }

  String kubectl(String... args) {
    return kubectl(repoRoot, adminKubeconfig, args);
  }

  /** Applies deploy/ as the README does (with {@code options} added) and waits until its CRDs serve. */
  public static void installDeploy(Path repoRoot, Path adminKubeconfig, KubernetesClient admin,
      String... options) {
    List<String> apply = new ArrayList<>(List.of("apply", "--server-side", "-k", repoRoot.resolve("deploy").toString()));
    apply.addAll(List.of(options));
    kubectl(repoRoot, adminKubeconfig, apply.toArray(String[]::new));
    for (String crd : List.of("livepatches.kulp.io", "livepatchnodes.kulp.io")) {
      await("CRD " + crd).atMost(Duration.ofSeconds(60)).until(() -> established(admin, crd));
    }
  }

  private static boolean established(KubernetesClient client, String name) {
    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    agents.values().forEach(AgentProcess::close);
    operator.close();
    admin.close();
    server.stop();
    try {
      Files.deleteIfExists(adminKubeconfig);
      for (Path p : agentKubeconfigs.values()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // temporary files
    }
  }
}
