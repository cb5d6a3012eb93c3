package io.kulp.operator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own parsers, through deploy/dev/prom-check (built by
 * deploy/dev/prereqs.d/40-prom-check.sh): the scrape parser Prometheus reads /metrics with,
 * promlint (promtool check metrics), and the PromQL parser.
 */
public final class PromCheck {
  private PromCheck() {}

  /**
   * What Prometheus read from one /metrics body.
   *
   * @param families metric family name to type (counter, gauge, histogram, ...)
   * @param series the names of the samples (a histogram's {@code _bucket}, {@code _sum}, {@code _count})
   * @param lint promlint's problems, "NAME: PROBLEM" (text format only)
   */
  public record Scrape(Map<String, String> families, Set<String> series, List<String> lint) {}

  /** Parses {@code body} as Prometheus does for {@code contentType}; AssertionError with the parser's message if it cannot. */
  public static Scrape metrics(String body, String contentType) {
    Map<String, String> families = new LinkedHashMap<>();
    Set<String> series = new LinkedHashSet<>();
    List<String> lint = new ArrayList<>();
    for (String line : run(body, "metrics", contentType)) {
      String[] f = line.split(" ", 3);
      switch (f[0]) {
        case "family" -> families.put(f[1], f[2]);
        case "series" -> series.add(f[1]);
        case "lint" -> lint.add(line.substring("lint ".length()));
        default -> throw new AssertionError("prom-check said: " + line);
      }
    }
    return new Scrape(families, series, lint);
  }

  /** The metric names each PromQL expression selects ("?" for a selector without a fixed name); AssertionError if one does not parse. */
  public static List<Set<String>> promql(List<String> exprs) {
    List<String> args = new ArrayList<>(List.of("promql"));
    args.addAll(exprs);
    List<Set<String>> names = new ArrayList<>();
    for (String line : run("", args.toArray(String[]::new))) {
      if (!line.startsWith("ok")) {
        throw new AssertionError("prom-check said: " + line);
      }
      names.add(new LinkedHashSet<>(List.of(line.substring(2).trim().split(" +"))));
      names.get(names.size() - 1).remove("");
    }
    return names;
  }

  /** The binary: $KULP_PROM_CHECK, else ~/.cache/kulp/prom-check/prom-check. */
  static Path binary() {
    String env = System.getenv("KULP_PROM_CHECK");
    Path bin = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache/kulp/prom-check/prom-check");
    if (!Files.isExecutable(bin)) {
      throw new AssertionError(bin + " is missing: run deploy/dev/prereqs.d/40-prom-check.sh (deploy/dev/prereqs.sh runs it)");
    }
    return bin;
  }

  private static List<String> run(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of(binary().toString()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("prom-check did not end within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(out.strip());
      }
      return out.lines().toList();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
