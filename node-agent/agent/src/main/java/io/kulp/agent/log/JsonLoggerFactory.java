package io.kulp.agent.log;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/** One {@link JsonLogger} per name, all writing to one stream. */
final class JsonLoggerFactory implements ILoggerFactory {
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final Level threshold;
  private final PrintStream out;

  JsonLoggerFactory(Level threshold, PrintStream out) {
    this.threshold = threshold;
    this.out = out;
  }

  @Override
  public Logger getLogger(String name) {
    // The Kubernetes client is chatty at info about routine reconnects: warnings and up only.
    Level level = name.startsWith("io.fabric8") && threshold.toInt() < Level.WARN.toInt() ? Level.WARN : threshold;
    return loggers.computeIfAbsent(name, n -> new JsonLogger(n, level, out));
  }
}
