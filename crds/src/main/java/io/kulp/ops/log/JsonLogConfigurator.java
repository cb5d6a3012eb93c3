package io.kulp.ops.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.kulp.api.KulpConstants;

/**
 * The log of the operator and of the node agent: one JSON object per line on stderr, written by
 * logback's {@link JsonEncoder}: {@code timestamp} (milliseconds since the epoch), {@code level},
 * {@code loggerName}, {@code threadName}, {@code formattedMessage}, the MDC ({@code mdc}), the
 * key-value pairs of SLF4J's fluent API ({@code kvpList}: {@code log.atInfo().addKeyValue("pid",
 * 42)}), and a {@code throwable} with its stack. Levels come from {@link KulpConstants#ENV_LOG_LEVEL}
 * ({@link LogLevels}).
 *
 * <p>Found by logback through {@code META-INF/services} before it looks for a {@code logback.xml},
 * so the first line a component writes is already JSON (logback itself prints nothing while its
 * configuration succeeds). Set {@code -Dlogback.configurationFile=…} to use another configuration.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class JsonLogConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configure(context, LogLevels.parse(System.getenv(KulpConstants.ENV_LOG_LEVEL)), System.err);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Writes every event at or above {@code levels} to {@code stderr} (System.err or a test's stream). */
  static void configure(LoggerContext context, LogLevels levels, PrintStream stderr) {
    JsonEncoder encoder = new EscapingJsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false); // the pattern: formattedMessage has it with its arguments
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();

    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("json");
    appender.setEncoder(encoder);
    appender.setOutputStream(new FilterOutputStream(stderr) {
      @Override
      public void close() throws IOException {
        flush(); // logback closes its stream when it stops; stderr stays open
      }
    });
    appender.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    root.setLevel(levels.root());
    levels.loggers().forEach((name, level) -> context.getLogger(name).setLevel(level));
    if (!levels.invalid().isEmpty()) {
      // logback's own logger: SLF4J is still being initialised
      context.getLogger(JsonLogConfigurator.class).atWarn()
          .addKeyValue("ignored", levels.invalid())
          .log(KulpConstants.ENV_LOG_LEVEL + " has parts that are not LEVEL or LOGGER=LEVEL; using " + levels.root());
    }
  }
}
