package io.kulp.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A component's log as logback's JSON encoder writes it (io.kulp.ops.log.JsonLogConfigurator): every
 * line, the first included, one JSON object with a timestamp, a level, a logger and a message.
 */
final class JsonLogLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LEVELS = Set.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
  /** 2020-01-01: a timestamp before it is not milliseconds since the epoch. */
  private static final long EARLIEST = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();

  private final List<JsonNode> lines;

  private JsonLogLines(List<JsonNode> lines) {
    this.lines = lines;
  }

  /** Parses every line of {@code log}; throws AssertionError, naming the line, for one that is not such an object. */
  static JsonLogLines parse(String component, String log) {
    List<JsonNode> lines = new ArrayList<>();
    String[] text = log.split("\n");
    for (int i = 0; i < text.length; i++) {
      String where = component + " log line " + (i + 1) + ": " + text[i];
      JsonNode line;
      try {
        line = JSON.readTree(text[i]);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + where, e);
      }
      if (line == null || !line.isObject() || !line.path("timestamp").canConvertToLong()
          || line.path("timestamp").asLong() < EARLIEST || line.path("timestamp").asLong() > System.currentTimeMillis()
          || !LEVELS.contains(line.path("level").asText()) || !line.path("loggerName").isTextual()
          || !line.path("formattedMessage").isTextual()) {
        throw new AssertionError("not a log event with timestamp, level, loggerName and formattedMessage: " + where);
      }
      lines.add(line);
    }
    return new JsonLogLines(lines);
  }

  List<JsonNode> lines() {
    return lines;
  }

  List<String> messages() {
    return lines.stream().map(l -> l.get("formattedMessage").asText()).toList();
  }

  List<String> levels() {
    return lines.stream().map(l -> l.get("level").asText()).toList();
  }

  /** The value of key-value pair {@code key} (SLF4J's addKeyValue) of each line that has it. */
  List<String> values(String key) {
    List<String> values = new ArrayList<>();
    for (JsonNode line : lines) {
      for (JsonNode pair : line.path("kvpList")) {
        if (pair.has(key)) {
          values.add(pair.get(key).asText());
        }
      }
    }
    return values;
  }
}
