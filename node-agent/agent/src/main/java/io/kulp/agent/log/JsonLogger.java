package io.kulp.agent.log;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * Writes each event as one JSON line: {@code {"ts":…,"level":…,"logger":…,"msg":…}} plus the
 * key-value pairs of SLF4J's fluent API ({@code log.atInfo().addKeyValue("pid", 42).log(…)}) as
 * fields, and the stack trace as {@code "error"}.
 */
final class JsonLogger extends AbstractLogger implements LoggingEventAware {
  private final Level threshold;
  private final transient PrintStream out;

  JsonLogger(String name, Level threshold, PrintStream out) {
    this.name = name;
    this.threshold = threshold;
    this.out = out;
  }

  private boolean enabled(Level level) {
    return level.toInt() >= threshold.toInt();
  }

  @Override
  public void log(LoggingEvent event) {
    if (enabled(event.getLevel())) {
      write(event.getLevel(), event.getMessage(), event.getArgumentArray(), event.getKeyValuePairs(),
          event.getThrowable());
    }
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
      Throwable throwable) {
    write(level, messagePattern, arguments, List.of(), throwable);
  }

  private void write(Level level, String pattern, Object[] args, List<KeyValuePair> pairs, Throwable error) {
    StringBuilder line = new StringBuilder(160);
    line.append("{\"ts\":\"").append(Instant.now()).append("\",\"level\":\"").append(level.name().toLowerCase())
        .append("\",\"logger\":");
    string(line, name);
    line.append(",\"msg\":");
    string(line, args == null || args.length == 0 ? pattern : MessageFormatter.basicArrayFormat(pattern, args));
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        line.append(',');
        string(line, pair.key);
        line.append(':');
        value(line, pair.value);
      }
    }
    if (error != null) {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      line.append(",\"error\":");
      string(line, trace.toString());
    }
    line.append('}');
    out.println(line);
  }

  private static void value(StringBuilder line, Object value) {
    if (value instanceof Number || value instanceof Boolean) {
      line.append(value);
    } else {
      string(line, String.valueOf(value));
    }
  }

  static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
              || c == '\u2028' || c == '\u2029') {
            // C0 and C1 controls, DEL, bidirectional overrides, zero-width and line separators:
            // valid JSON either way, but a terminal or a log viewer would act on them raw
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return isTraceEnabled();
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return isDebugEnabled();
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return isInfoEnabled();
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return isWarnEnabled();
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return isErrorEnabled();
  }
}
