package io.kulp.testing.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code docker} client against the local engine's unix socket. The binary is
 * {@code docker} on the PATH, or the system property {@code kulp.docker}. The engine is started by
 * {@code deploy/dev/docker-up.sh}, which {@code deploy/dev/test-all.sh} runs first.
 */
public final class DockerCli {
  /** Label on every image and container the helpers create, to find leftovers after a crash. */
  public static final String TEST_LABEL = "io.kulp.test";

  private static final long TIMEOUT_SECONDS = 120;

  private DockerCli() {}

  /** The command line that starts {@code docker} with these arguments. */
  static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("kulp.docker", "docker"));
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code docker args...} and returns its standard output, trimmed; fails on a non-zero exit. */
  public static String run(String... args) {
    Process process;
    try {
      process = new ProcessBuilder(command(args)).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the docker client (" + command().get(0) + "): " + e.getMessage(), e);
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<String> stdout = readAsync(process.getInputStream());
      CompletableFuture<String> stderr = readAsync(process.getErrorStream());
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("docker " + String.join(" ", args) + " still runs after " + TIMEOUT_SECONDS + "s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("docker " + String.join(" ", args) + " exited with " + process.exitValue()
            + ": " + stderr.join().trim() + hint(stderr.join()));
      }
      return stdout.join().trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running docker", e);
    }
  }

  private static String hint(String stderr) {
    return stderr.contains("Cannot connect to the Docker daemon")
        ? " (no Docker engine runs: start one with deploy/dev/docker-up.sh, which deploy/dev/test-all.sh runs)"
        : "";
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
