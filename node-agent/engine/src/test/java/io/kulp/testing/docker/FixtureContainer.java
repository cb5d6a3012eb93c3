package io.kulp.testing.docker;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A running container of a {@link ScratchImage}, with no network, whose program a test drives
 * through stdin and watches through stdout (stderr is merged in), line by line:
 *
 * <pre>{@code
 * try (FixtureContainer fixture = FixtureContainer.builder(image)
 *     .preload("/usr/lib/kulp/libpulp.so")
 *     .command("/usr/bin/fixture")
 *     .start()) {
 *   fixture.send("call");
 *   fixture.awaitLine(line -> line.equals("result 1"));
 *   int pid = fixture.hostPid();
 * }
 * }</pre>
 *
 * Closing it removes the container. The container is created with {@code docker create -i}, then
 * attached with {@code docker start -a -i}, so its ID is known before the program runs and no
 * output is lost.
 */
public final class FixtureContainer implements AutoCloseable {
  /** How long {@link #awaitLine} and {@link #hostPid} wait by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final String id;
  private final Process attached;
  private final Writer stdin;
  private final List<String> output = new ArrayList<>();
  /** Index in {@link #output} from which {@link #awaitLine} looks: the line count at the last send. */
  private int mark;

  private FixtureContainer(String id, Process attached) {
    this.id = id;
    this.attached = attached;
    this.stdin = new OutputStreamWriter(attached.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readOutput, "fixture-" + id.substring(0, 12));
    reader.setDaemon(true);
    reader.start();
  }

  public static Builder builder(ScratchImage image) {
    return new Builder(image);
  }

  /** Docker's 64-hex-digit container ID. */
  public String id() {
    return id;
  }

  /** The ID as kubelet reports it in a pod's status: {@code docker://<id>}. */
  public String containerId() {
    return "docker://" + id;
  }

  /** The host PID of the container's first process, once it runs. */
  public int hostPid() {
    return await("container " + id + " to run").atMost(DEFAULT_TIMEOUT).pollInterval(Duration.ofMillis(50))
        .until(() -> Integer.parseInt(DockerCli.run("inspect", "--format", "{{.State.Pid}}", id)), pid -> pid > 0);
  }

  /** Writes one line to the program's stdin. Later {@link #awaitLine} calls look only at output after it. */
  public synchronized void send(String line) {
    mark = output.size();
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to container " + id + "; its output so far: " + output, e);
    }
  }

  /** The first line since the last {@link #send} (or since the start) that matches, waiting for it. */
  public String awaitLine(Predicate<String> matches) {
    return awaitLine(matches, DEFAULT_TIMEOUT);
  }

  public String awaitLine(Predicate<String> matches, Duration timeout) {
    try {
      return await().atMost(timeout).pollInterval(Duration.ofMillis(20))
          .until(() -> firstSinceMark(matches), line -> line != null);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no matching line from container " + id + " within " + timeout
          + "; its output: " + output(), e);
    }
  }

  /** Every line the program wrote so far. */
  public synchronized List<String> output() {
    return List.copyOf(output);
  }

  /** Removes the container and its process, and ends the attached client. */
  @Override
  public void close() {
    try {
      DockerCli.run("rm", "--force", id);
    } finally {
      try {
        stdin.close();
      } catch (IOException ignored) {
        // the client may already be gone
      }
      try {
        if (!attached.waitFor(10, TimeUnit.SECONDS)) {
          attached.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        attached.destroyForcibly();
      }
    }
  }

  private synchronized String firstSinceMark(Predicate<String> matches) {
    for (int i = mark; i < output.size(); i++) {
      if (matches.test(output.get(i))) {
        return output.get(i);
      }
    }
    return null;
  }

  private void readOutput() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(attached.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        synchronized (this) {
          output.add(line);
        }
      }
    } catch (IOException ended) {
      // the client ended; the lines read so far stay available
    }
  }

  /** What to run in the container. */
  public static final class Builder {
    private final ScratchImage image;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> dockerOptions = new ArrayList<>();
    private List<String> command = List.of();

    private Builder(ScratchImage image) {
      this.image = image;
    }

    /** Sets an environment variable of the container's program. */
    public Builder env(String variable, String value) {
      env.put(variable, value);
      return this;
    }

    /** Preloads a library into the program: {@code LD_PRELOAD}, a path inside the image. */
    public Builder preload(String libraryInImage) {
      return env("LD_PRELOAD", libraryInImage);
    }

    /** Another {@code docker create} option, for example {@code --pid=host}; the network stays none. */
    public Builder dockerOption(String option) {
      dockerOptions.add(option);
      return this;
    }

    /** The program and its arguments, paths inside the image. */
    public Builder command(String... command) {
      this.command = List.of(command);
      return this;
    }

    /** Creates and starts the container, attached to its stdin and stdout. */
    public FixtureContainer start() {
      if (command.isEmpty()) {
        throw new IllegalStateException("a scratch image has no default command: set command(...)");
      }
      List<String> create = new ArrayList<>(List.of("create", "--interactive", "--network", "none",
          "--label", DockerCli.TEST_LABEL + "=true"));
      env.forEach((variable, value) -> create.addAll(List.of("--env", variable + "=" + value)));
      create.addAll(dockerOptions);
      create.add(image.reference());
      create.addAll(command);
      String id = DockerCli.run(create.toArray(String[]::new));
      try {
        Process attached = new ProcessBuilder(DockerCli.command("start", "--attach", "--interactive", id))
            .redirectErrorStream(true)
            .start();
        return new FixtureContainer(id, attached);
      } catch (IOException e) {
        DockerCli.run("rm", "--force", id);
        throw new UncheckedIOException("cannot attach to container " + id, e);
      }
    }
  }
}
