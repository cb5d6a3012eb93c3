package io.kulp.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real single-node cluster of deploy/dev/node-up.sh (kubelet, containerd, runc, CNI, kube-proxy
 * and a control plane on this host), with kulp installed on it as a user installs it
 * (deploy/dev/node-install-kulp.sh: its images imported, {@code kubectl apply -k} of deploy/).
 * A node that is already up is reused and left up; one started here is taken down on close
 * (deploy/dev/node-down.sh, which fails when anything of it is left behind). Script output goes to
 * target/e2e-logs/real-node-*.log; the components' own logs are in /var/log/kulp-node.
 *
 * There is one such node per machine: a test run holds {@link #LOCK} from before node-up to after
 * node-down, so test runs of two checkouts on one machine take turns instead of sharing it.
 */
final class RealNode implements AutoCloseable {
  static final Path KUBECONFIG = Path.of("/var/lib/kulp-node/admin.kubeconfig");
  static final String NAME = "kulp-node";
  static final String SYSTEM_NAMESPACE = "kulp-system";
  static final Path LOCK = Path.of("/run/lock/kulp-node-e2e.lock");
  static final Duration LOCK_WAIT = Duration.ofMinutes(20);

  private final Path repo;
  private final boolean startedHere;
  private final KubernetesClient client;
  private final FileLock lock;

  private RealNode(Path repo, boolean startedHere, KubernetesClient client, FileLock lock) {
    this.repo = repo;
    this.startedHere = startedHere;
    this.client = client;
    this.lock = lock;
  }

  /** Brings the node up (a first build of the node binaries can take minutes) and installs kulp. */
  static RealNode upWithKulp(Path repo) {
    FileLock lock = lock();
    RealNode node = null;
    boolean reused = false;
    try {
      reused = run(repo, "up", Duration.ofMinutes(20), "deploy/dev/node-up.sh").contains("already up");
      run(repo, "install-kulp", Duration.ofMinutes(5), "deploy/dev/node-install-kulp.sh", "--build");
      node = new RealNode(repo, !reused, new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(KUBECONFIG))).build(), lock);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (node == null) {
        try {
          if (!reused) {
            run(repo, "down", Duration.ofMinutes(2), "deploy/dev/node-down.sh");
          }
        } finally {
          release(lock);
        }
      }
    }
  }

  /** Waits (bounded) for the machine's node to be free. */
  private static FileLock lock() {
    Instant deadline = Instant.now().plus(LOCK_WAIT);
    try {
      Files.createDirectories(LOCK.getParent());
      FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          return lock;
        }
        if (Instant.now().isAfter(deadline)) {
          channel.close();
          throw new IllegalStateException("another test run has held " + LOCK + " for " + LOCK_WAIT);
        }
        Thread.sleep(1000);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void release(FileLock lock) {
    try {
      lock.channel().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  KubernetesClient client() {
    return client;
  }

  /** Imports image archives into the node's containerd (deploy/dev/node-import-image.sh). */
  void importImages(List<Path> archives) {
    List<String> command = new ArrayList<>(List.of("deploy/dev/node-import-image.sh"));
    for (Path a : archives) {
      command.add(a.toAbsolutePath().toString());
    }
    run(repo, "import", Duration.ofMinutes(2), command.toArray(String[]::new));
  }

  /** The last lines of the operator's and the agent's pods, for a failure message. */
  String kulpLogs() {
    StringBuilder b = new StringBuilder();
    for (Pod p : client.pods().inNamespace(SYSTEM_NAMESPACE).list().getItems()) {
      String name = p.getMetadata().getName();
      try {
        b.append("\n--- ").append(name).append(" ---\n")
            .append(client.pods().inNamespace(SYSTEM_NAMESPACE).withName(name).tailingLines(40).getLog());
      } catch (RuntimeException e) {
        b.append("(no log: ").append(e.getMessage()).append(")\n");
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    try {
      client.close();
      if (startedHere) {
        run(repo, "down", Duration.ofMinutes(2), "deploy/dev/node-down.sh");
      }
    } finally {
      release(lock);
    }
  }

  /** Runs a script of the repository, bounded; returns its output, fails with it on a non-zero exit. */
  private static String run(Path repo, String step, Duration timeout, String... command) {
    try {
      Path log = Files.createDirectories(Path.of("target", "e2e-logs")).resolve("real-node-" + step + ".log");
      Process p = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout + ":\n"
            + Files.readString(log));
      }
      String out = Files.readString(log);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
