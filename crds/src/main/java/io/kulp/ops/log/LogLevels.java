package io.kulp.ops.log;

import ch.qos.logback.classic.Level;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The levels that {@code KULP_LOG_LEVEL} sets: a level for every logger, then optionally levels
 * of single loggers (and the loggers below them), comma-separated:
 * {@code info,io.kulp.agent.work=debug,io.fabric8=info}.
 *
 * <p>Level names are error, warn, info, debug and trace, in any case. Unless named, the Kubernetes
 * client ({@code io.fabric8}) logs warnings and up only: it is chatty at info about routine
 * reconnects.
 *
 * @param root the level of every logger not named
 * @param loggers the named loggers' levels, in the order given
 * @param invalid the parts that were not understood (ignored), for a warning; empty when none
 */
public record LogLevels(Level root, Map<String, Level> loggers, String invalid) {

  /** Logs of the Kubernetes client, quieter by default. */
  static final String KUBERNETES_CLIENT = "io.fabric8";

  /** Parses a {@code KULP_LOG_LEVEL} value; null or blank is "info". */
  public static LogLevels parse(String text) {
    Level root = Level.INFO;
    Map<String, Level> loggers = new LinkedHashMap<>();
    StringBuilder invalid = new StringBuilder();
    String[] parts = text == null ? new String[0] : text.split(",");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].trim();
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      Level level = level(eq < 0 ? part : part.substring(eq + 1));
      String name = eq < 0 ? "" : part.substring(0, eq).trim();
      if (level == null || (eq >= 0 && name.isEmpty()) || (eq < 0 && i > 0)) {
        invalid.append(invalid.length() == 0 ? "" : ",").append(part);
      } else if (eq < 0) {
        root = level;
      } else {
        loggers.put(name, level);
      }
    }
    if (!loggers.containsKey(KUBERNETES_CLIENT) && !root.isGreaterOrEqual(Level.WARN)) {
      loggers.put(KUBERNETES_CLIENT, Level.WARN);
    }
    return new LogLevels(root, Map.copyOf(loggers), invalid.toString());
  }

  private static Level level(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "error" -> Level.ERROR;
      case "warn", "warning" -> Level.WARN;
      case "info" -> Level.INFO;
      case "debug" -> Level.DEBUG;
      case "trace" -> Level.TRACE;
      case "off" -> Level.OFF;
      default -> null;
    };
  }
}
