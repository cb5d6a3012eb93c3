package io.kulp.testing;

import org.awaitility.Awaitility;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A fixture program running as a real process, driven through its stdin and stdout.
 *
 * <p>It is started through a shell that backgrounds it and waits, so it is the JVM's grandchild:
 * the JDK's process reaper waits for its own children and would otherwise steal the wait
 * statuses that ptrace reports for the target.
 */
public final class TargetProgram implements AutoCloseable {
  private final Process shell;
  private final int pid;
  private final OutputStream stdin;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private int consumed;

  private TargetProgram(Process shell, int pid) {
    this.shell = shell;
    this.pid = pid;
    this.stdin = shell.getOutputStream();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null;) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the program ended
      }
    }, "target-" + pid + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code program args...} with libpulp.so preloaded. */
  public static TargetProgram startPreloaded(Path program, String... args) throws IOException {
    return start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()), program, args);
  }

  public static TargetProgram start(Map<String, String> env, Path program, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3<&0; \"$@\" <&3 3<&- & echo $! >&2; wait $!", "sh",
        program.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process shell = pb.start();
    BufferedReader err = new BufferedReader(new InputStreamReader(shell.getErrorStream(), StandardCharsets.UTF_8));
    String first = err.readLine();
    if (first == null) {
      throw new IOException("could not start " + program);
    }
    return new TargetProgram(shell, Integer.parseInt(first.trim()));
  }

  public int pid() {
    return pid;
  }

  public boolean alive() {
    return Path.of("/proc/" + pid).toFile().exists() && shell.isAlive();
  }

  /** Sends one command line. */
  public void send(String command) throws IOException {
    stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** The first line after what was already consumed that matches, waiting up to 20 s. */
  public String await(Predicate<String> match) {
    String[] found = new String[1];
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2)).until(() -> {
      for (int i = consumed; i < lines.size(); i++) {
        if (match.test(lines.get(i))) {
          found[0] = lines.get(i);
          consumed = i + 1;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** Sends {@code command} and returns the answer line starting with {@code key=}, as the part after '='. */
  public String ask(String command, String key) throws IOException {
    send(command);
    String line = await(l -> l.startsWith(key + "="));
    return line.substring(key.length() + 1);
  }

  public List<String> output() {
    return List.copyOf(lines);
  }

  /** Kills the program and waits until it is reaped, so no later test sees it, even as a zombie. */
  @Override
  public void close() {
    try {
      new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
      // The shell reaps it; give it the moment it needs before killing the shell too.
      Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
          .until(() -> !shell.isAlive() || !Path.of("/proc/" + pid).toFile().exists());
    } catch (IOException | InterruptedException e) {
      // already gone
    }
    shell.destroyForcibly();
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
        .until(() -> !Path.of("/proc/" + pid).toFile().exists());
  }
}
