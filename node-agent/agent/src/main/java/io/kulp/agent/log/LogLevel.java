package io.kulp.agent.log;

import java.util.Locale;
import org.slf4j.event.Level;

/** The threshold of the JSON log: events below it are dropped. */
final class LogLevel {
  private LogLevel() {}

  /** error, warn, info (default) or debug; trace also works. */
  static Level parse(String text) {
    if (text == null || text.isBlank()) {
      return Level.INFO;
    }
    try {
      return Level.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Level.INFO;
    }
  }
}
