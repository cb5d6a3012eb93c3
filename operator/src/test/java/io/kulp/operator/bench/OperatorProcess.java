package io.kulp.operator.bench;

import io.kulp.api.KulpConstants;
import io.kulp.operator.KulpOperator;
import io.kulp.operator.testing.OperatorUnderTest;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The operator as its own JVM ({@link KulpOperator#main}, as the image runs it), so that its
 * resident set is its own: started with the bench's class path and a kubeconfig, leader election
 * off, the ops endpoints on a free loopback port. Reads its VmRSS and VmHWM from /proc and its
 * heap from its /metrics endpoint.
 */
final class OperatorProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final AtomicLong maxRssKb = new AtomicLong();
  private final Thread sampler;
  private final HttpClient http = HttpClient.newHttpClient();

  private OperatorProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    this.sampler = new Thread(() -> {
      while (process.isAlive()) {
        maxRssKb.accumulateAndGet(procStatusKb("VmRSS"), Math::max);
        try {
          Thread.sleep(200); // a sampler in a tool, not a test
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * @param classes put first on the class path (another operator's classes), or empty
   * @param jvmOptions e.g. {@code -XX:MaxRAM=512m} and deploy/'s JAVA_OPTS: what a container
   *     limited to 512 MiB gives the JVM
   * @param environment added to the operator's (e.g. MALLOC_ARENA_MAX)
   */
  static OperatorProcess start(Path kubeconfig, String classes, List<String> jvmOptions,
      java.util.Map<String, String> environment, Path log) throws IOException {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classes.isEmpty() ? classPath() : classes + File.pathSeparator + classPath());
    command.add(KulpOperator.class.getName());
    var builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    var env = builder.environment();
    env.putAll(environment);
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put(KulpConstants.ENV_LEADER_ELECTION, "false");
    env.put(KulpConstants.ENV_OPERATOR_NAMESPACE, OperatorUnderTest.NAMESPACE);
    env.put(KulpConstants.ENV_HTTP_PORT, Integer.toString(port));
    env.put(KulpConstants.ENV_HTTP_BIND_ADDRESS, "127.0.0.1");
    env.remove(KulpConstants.ENV_RUNTIME_IMAGE);
    return new OperatorProcess(builder.start(), port);
  }

  /** The class path this bench runs with (exec:java's class loader, else java.class.path). */
  private static String classPath() {
    return Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader
        ? Arrays.stream(loader.getURLs()).map(u -> new File(URI.create(u.toString())).getPath())
            .collect(Collectors.joining(File.pathSeparator))
        : System.getProperty("java.class.path");
  }

  /** Waits for /startup (JOSDK started: every informer has listed and synced), 30 min at most. */
  void awaitStarted() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("operator exited with " + process.exitValue());
      }
      try {
        if (get("/startup").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250); // polling a process from a tool
    }
    throw new IllegalStateException("operator not started within 30 minutes");
  }

  /**
   * Waits until the operator is quiet: under a tenth of a core between two looks 2 s apart (its
   * informers hand out their initial lists' events after /startup answers), 5 min at most.
   * Returns the seconds waited.
   */
  double awaitQuiet() {
    return CpuTime.awaitQuiet("operator", () -> CpuTime.of(pid()), 0.1);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  long pid() {
    return process.pid();
  }

  /** VmRSS now, MiB. */
  double rssMib() {
    return procStatusKb("VmRSS") / 1024.0;
  }

  /** The highest VmRSS seen since start (sampled every 200 ms) and VmHWM, MiB. */
  String peakRss() {
    return String.format("peak RSS %.0f MiB (sampled), VmHWM %.0f MiB", maxRssKb.get() / 1024.0,
        procStatusKb("VmHWM") / 1024.0);
  }

  /** Heap used now, MiB (jvm_memory_used_bytes, area heap, from /metrics). */
  double heapUsedMib() throws IOException, InterruptedException {
    return heapMib("jvm_memory_used_bytes{");
  }

  /** Heap committed now, MiB (jvm_memory_committed_bytes, area heap): what the heap holds of RAM. */
  double heapCommittedMib() throws IOException, InterruptedException {
    return heapMib("jvm_memory_committed_bytes{");
  }

  private double heapMib(String metric) throws IOException, InterruptedException {
    return get("/metrics").body().lines()
        .filter(l -> l.startsWith(metric) && l.contains("area=\"heap\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()
        / (1024 * 1024);
  }

  /**
   * The JVM's native memory summary (jcmd VM.native_memory summary; needs
   * -XX:NativeMemoryTracking=summary), one "category committed" pair per area, MiB.
   */
  String nativeMemory() throws Exception {
    var jcmd = new ProcessBuilder("jcmd", Long.toString(pid()), "VM.native_memory", "summary")
        .redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes());
    jcmd.waitFor();
    var area = java.util.regex.Pattern.compile(
        "^(?:-\\s+)?([A-Za-z][A-Za-z ]*?):?\\s*\\(?reserved=\\d+KB, committed=(\\d+)KB");
    return out.lines().map(String::trim).map(area::matcher).filter(java.util.regex.Matcher::find)
        .map(m -> String.format("%s %.0f", m.group(1), Long.parseLong(m.group(2)) / 1024.0))
        .collect(Collectors.joining(", "));
  }

  /** Heap used after a full GC (jcmd GC.run): the live set, MiB. */
  double liveHeapMib() throws Exception {
    new ProcessBuilder("jcmd", Long.toString(pid()), "GC.run").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    return heapUsedMib();
  }

  private long procStatusKb(String field) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
          .filter(l -> l.startsWith(field + ":"))
          .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0);
    } catch (IOException e) {
      return 0; // exited
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
