package io.kulp.agent;

import io.kulp.api.KubeClients;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the kulp node agent (one per node, a DaemonSet with hostPID). Settings come from
 * the environment ({@link AgentSettings}), the cluster from the in-cluster service account or the
 * usual kubeconfig. The work starts in {@link AgentApp}.
 */
public final class NodeAgent {
  private NodeAgent() {}

  public static void main(String[] args) throws InterruptedException {
    AgentSettings settings = AgentSettings.fromEnv(System.getenv());
    var client = KubeClients.fromEnvironment();
    AgentApp app = AgentApp.start(client, settings, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      client.close();
      stopped.countDown();
    }, "kulp-agent-shutdown"));
    stopped.await();
  }
}
