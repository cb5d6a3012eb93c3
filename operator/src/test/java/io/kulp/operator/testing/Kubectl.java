package io.kulp.operator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl built by deploy/dev/kube-test-binaries.sh, pointed at a test cluster. */
public final class Kubectl {

  /** What a kubectl run printed. */
  public record Result(int exitCode, String out) {}

  private final Path binary;
  private final Path kubeconfig;

  public Kubectl(Path kubeconfig) {
    this.binary = binaryDir().resolve("kubectl");
    this.kubeconfig = kubeconfig;
  }

  public Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--kubeconfig",
        kubeconfig.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kubectl " + String.join(" ", args) + " hung");
    }
    return new Result(p.exitValue(), out);
  }

  /** Asks the build script where it put the binaries (the same place kube-api-test reads). */
  static Path binaryDir() {
    Path script = Path.of(System.getProperty("kulp.repoRoot", ".."),
        "deploy/dev/kube-test-binaries.sh");
    try {
      Process p = new ProcessBuilder(script.toString(), "--print-dir").start();
      String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || !Files.isExecutable(Path.of(dir, "kubectl"))) {
        throw new IllegalStateException("no kubectl in '" + dir + "'; run " + script);
      }
      return Path.of(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
