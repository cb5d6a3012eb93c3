package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.operator.KulpOperatorApp;
import io.kulp.operator.testing.FakeAgents;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.operator.testing.OperatorUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The setting of the operator's ITs: a real kube-apiserver with etcd and the operator, started
 * once per test class, and fresh fake agents for each test, which the tests drive.
 */
abstract class OperatorAgainstApiServer {
  static KubeApiTestCluster cluster;
  static KubernetesClient client;
  static KulpOperatorApp operator;
  FakeAgents agents;

  @BeforeAll
  static void startClusterAndOperator() {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
    operator = OperatorUnderTest.start(cluster.newClient());
  }

  @AfterAll
  static void stop() throws Exception {
    operator.close();
    cluster.close();
  }

  @BeforeEach
  void agents() {
    agents = new FakeAgents(cluster.newClient());
  }

  @AfterEach
  void closeAgents() {
    agents.close();
  }
}
