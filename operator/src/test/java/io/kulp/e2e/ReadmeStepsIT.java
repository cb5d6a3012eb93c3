package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.operator.testing.KubeApiTestCluster;
import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Kubernetes commands, as written there, on a fresh API server: a user who copies them
 * must not meet an error (no operator or agent runs here, so `kubectl wait` is left out).
 */
class ReadmeStepsIT {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private KubeAPIServer server;
  private Path kubeconfig;

  @BeforeEach
  void startServer() throws Exception {
    server = KubeApiTestCluster.startServer();
    kubeconfig = Files.createTempFile("kulp-readme-it", ".kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
  }

  @AfterEach
  void stopServer() throws Exception {
    server.stop();
    Files.deleteIfExists(kubeconfig);
  }

  @Test
  void theKubernetesQuickStartRunsAsWrittenOnAFreshCluster(@TempDir Path dir) throws Exception {
    // What the steps name: a packed patch fix.so, and a LivePatch fix like the example, for it...
    Files.copy(Fixtures.patch("value_v2"), dir.resolve("fix.so"));
    LivePatch lp = Serialization.unmarshal(Files.readString(REPO.resolve("deploy/examples/livepatch.yaml")),
        LivePatch.class);
    lp.getMetadata().setName("fix");
    lp.getSpec().patch.configMapRef.name = "fix";
    lp.getSpec().patch.sha256 = Sha256.of(Files.readAllBytes(dir.resolve("fix.so")));
    lp.getSpec().library.buildID = null;
    Files.writeString(dir.resolve("livepatch.yaml"), Serialization.asYaml(lp));

    // ...and the workload they opt in: a Deployment in namespace shop (no controller runs here: it makes no pods)
    E2EEnvironment.kubectl(dir, kubeconfig, "create", "namespace", "shop");
    E2EEnvironment.kubectl(dir, kubeconfig, "-n", "shop", "create", "deployment", "checkout", "--image=shop/checkout:1");

    List<String> steps = kubectlSteps();
    assertThat(steps).as("the README's Kubernetes steps").hasSizeGreaterThanOrEqualTo(5);
    for (String step : steps) {
      if (step.startsWith("kubectl wait")) {
        continue;
      }
      // Run where the user's files are; deploy/ is the checkout's.
      List<String> args = new ArrayList<>(List.of(step.substring("kubectl ".length()).split("\\s+")));
      args.replaceAll(a -> a.equals("deploy/") ? REPO.resolve("deploy").toString() : a);
      String out = E2EEnvironment.kubectl(dir, kubeconfig, retryUntilCrdsServe(args));
      assertThat(out).as(step).doesNotContain("error");
    }
  }

  /** The kubectl lines of the README's first code block under "Using kulp on Kubernetes", comments cut. */
  private static List<String> kubectlSteps() throws Exception {
    List<String> lines = Files.readAllLines(REPO.resolve("README.md"));
    int section = lines.indexOf("## Using kulp on Kubernetes");
    int open = lines.subList(section, lines.size()).indexOf("```") + section;
    int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
    return lines.subList(open + 1, close).stream().map(l -> l.replaceAll("\\s+#.*$", "").trim())
        .filter(l -> l.startsWith("kubectl ")).toList();
  }

  /** `kubectl apply -f` of a LivePatch right after the CRDs were created may race their establishment. */
  private String[] retryUntilCrdsServe(List<String> args) throws InterruptedException {
    if (args.get(0).equals("apply") && args.contains("-f")) {
      for (int i = 0; i < 60 && E2EEnvironment.kubectlExit(REPO, kubeconfig, "get", "lp") != 0; i++) {
        Thread.sleep(500);
      }
    }
    return args.toArray(String[]::new);
  }
}
