package io.kulp.operator.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.read.CyclicBufferAppender;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.KubeAPITestException;
import io.fabric8.kubeapitest.process.ProcessReadinessChecker;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kulp.api.CrdResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A real kube-apiserver and etcd (kube-api-test, binaries from deploy/dev/kube-test-binaries.sh)
 * with kulp's CRDs and the operator's namespace installed, bound to 127.0.0.1. One per test class.
 */
public final class KubeApiTestCluster implements AutoCloseable {

  /** Starts of kube-apiserver and etcd tried before a test gives up (see {@link #startServer}). */
  static final int START_ATTEMPTS = 3;

  private static final ServerOutput SERVER_OUTPUT = new ServerOutput();

  private final KubeAPIServer server;
  private final KubernetesClient client;
  private final Path kubeconfig;

  private KubeApiTestCluster(KubeAPIServer server, KubernetesClient client, Path kubeconfig) {
    this.server = server;
    this.client = client;
    this.kubeconfig = kubeconfig;
  }

  public static KubeApiTestCluster start() {
    var server = startServer();
    String yaml = server.getKubeConfigYaml();
    try {
      Path kubeconfig = Files.createTempFile("kulp-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, yaml);
      var client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      CrdResources.install(client, 60);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(OperatorUnderTest.NAMESPACE).endMetadata().build()).serverSideApply();
      return new KubeApiTestCluster(server, client, kubeconfig);
    } catch (IOException e) {
      server.stop();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A started kube-apiserver and etcd, bound to 127.0.0.1, for every test that needs one.
   *
   * <p>A start can fail for a reason outside the test. One we know of: kube-api-test picks the
   * servers' ports at random in 49152-65535, which overlaps Linux's ephemeral range (32768-60999 by
   * default), so a connection opened by anything on the machine between a port's check and the
   * server's bind can take it; that server exits, and its start waits out kube-api-test's 60 s.
   * A failed start is tried again, on fresh ports. The servers' own output (kube-api-test logs it
   * at debug) is printed with each failed attempt, so that any other cause says what it is.
   */
  public static KubeAPIServer startServer() {
    KubeAPITestException failure = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      SERVER_OUTPUT.reset();
      var server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
          .withApiServerFlags(List.of("--bind-address", "127.0.0.1")).build());
      try {
        server.start();
        return server;
      } catch (KubeAPITestException e) {
        try {
          server.stop(); // kube-api-test may have stopped it already, when a process exited
        } catch (RuntimeException again) {
          e.addSuppressed(again);
        }
        System.err.printf("kube-api-test: start %d of %d failed (%s); the servers' last output:%n%s%n",
            attempt, START_ATTEMPTS, e.getMessage(), SERVER_OUTPUT.lastLines());
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    throw failure;
  }

  public KubernetesClient client() {
    return client;
  }

  /** A client of its own (for a second operator instance, or an agent), same credentials. */
  public KubernetesClient newClient() {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig file for the real kubectl. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public void close() throws IOException {
    client.close();
    server.stop();
    Files.deleteIfExists(kubeconfig);
  }

  /**
   * The last lines etcd and kube-apiserver wrote, which kube-api-test logs at debug; its warnings
   * and errors still reach the test log.
   */
  private static final class ServerOutput {

    private static final int LINES = 80;

    private final CyclicBufferAppender<ILoggingEvent> lines = new CyclicBufferAppender<>();

    ServerOutput() {
      var logger = (Logger) LoggerFactory.getLogger("io.fabric8.kubeapitest.process");
      lines.setContext(logger.getLoggerContext());
      lines.setMaxSize(LINES);
      lines.start();
      logger.addAppender(lines);
      logger.setLevel(Level.DEBUG);
      logger.setAdditive(false); // the servers' output goes to the buffer, not the test log
      var root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
      var warnings = new AppenderBase<ILoggingEvent>() {
        @Override
        protected void append(ILoggingEvent event) {
          if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            root.callAppenders(event); // e.g. "etcd process stopped unexpectedly", mid-test
          }
        }
      };
      warnings.setContext(logger.getLoggerContext());
      warnings.start();
      logger.addAppender(warnings);
      // kube-api-test's readiness polls, one "Cannot connect" every 200 ms, would fill the buffer
      ((Logger) LoggerFactory.getLogger(ProcessReadinessChecker.class)).setLevel(Level.INFO);
    }

    void reset() {
      lines.reset();
    }

    String lastLines() {
      var text = new StringBuilder();
      for (int i = 0; i < lines.getLength(); i++) {
        text.append("  ").append(lines.get(i).getFormattedMessage()).append('\n');
      }
      return text.isEmpty() ? "  (none)" : text.toString();
    }
  }
}
