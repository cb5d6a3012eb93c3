package io.kulp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs tools (readelf, nm, strip, objcopy, the ulp launcher) for tests, with a timeout. */
public final class Commands {
  private static final long TIMEOUT_SECONDS = 120;

  private Commands() {}

  public static CommandResult run(String... command) {
    return run(List.of(command), Map.of());
  }

  /** Runs {@code command} with extra environment variables and no standard input. */
  public static CommandResult run(List<String> command, Map<String, String> env) {
    return run(command, env, null);
  }

  /** {@link #run(List, Map)} in {@code directory} (null: this process's). */
  public static CommandResult run(List<String> command, Map<String, String> env, Path directory) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectInput(Path.of("/dev/null").toFile());
    if (directory != null) {
      pb.directory(directory.toFile());
    }
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    CompletableFuture<String> out = readAsync(p.getInputStream());
    CompletableFuture<String> err = readAsync(p.getErrorStream());
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " still runs after " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
    return new CommandResult(p.exitValue(), out.join(), err.join());
  }

  /** Runs {@code command} and returns its standard output; fails the test on a non-zero exit. */
  public static String output(String... command) {
    CommandResult r = run(command);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + r);
    }
    return r.stdout();
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
