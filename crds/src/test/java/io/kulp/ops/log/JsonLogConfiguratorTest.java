package io.kulp.ops.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The components' log lines, read back as JSON. */
class JsonLogConfiguratorTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final LoggerContext context = new LoggerContext();

  private void configure(String kulpLogLevel) {
    if (context.getMDCAdapter() == null) {
      context.setMDCAdapter(new LogbackMDCAdapter());
    }
    JsonLogConfigurator.configure(context, LogLevels.parse(kulpLogLevel),
        new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    return lines;
  }

  @Test
  void writesOneJsonObjectPerLineWithTimestampLevelLoggerMessageKeyValuesAndMdc() throws Exception {
    configure("info");
    Logger log = context.getLogger("io.kulp.agent.Test");
    context.getMDCAdapter().put("livePatchNode", "fix.node-1");
    log.atInfo().addKeyValue("pid", 42).addKeyValue("pod", "ns/p\"1").log("process {}: {}", 42, "Applied");
    context.getMDCAdapter().clear();

    JsonNode line = lines().get(0);
    assertThat(Instant.ofEpochMilli(line.get("timestamp").asLong())).isCloseTo(Instant.now(),
        within(1, ChronoUnit.MINUTES));
    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("loggerName").asText()).isEqualTo("io.kulp.agent.Test");
    assertThat(line.get("formattedMessage").asText()).isEqualTo("process 42: Applied");
    assertThat(line.get("kvpList").toString()).isEqualTo("[{\"pid\":\"42\"},{\"pod\":\"ns/p\\\"1\"}]");
    assertThat(line.get("mdc").get("livePatchNode").asText()).isEqualTo("fix.node-1");
  }

  @Test
  void escapesControlCharactersSoThatATerminalDoesNotActOnThem() throws Exception {
    configure("info");
    String hostile = "e\u001b[2J\nnext \u009b2J \u007f \u202eevil\u200b \u2028 caf\u00e9";
    context.getLogger("x").atInfo().addKeyValue("path", hostile).log(hostile);

    assertThat(out.toString(StandardCharsets.UTF_8)).hasLineCount(1).doesNotContain("\u001b", "\u009b", "\u007f",
        "\u202e", "\u200b", "\u2028").contains("\\u009b2J", "\\u202eevil", "caf\u00e9");
    assertThat(lines().get(0).get("formattedMessage").asText()).isEqualTo(hostile);
    assertThat(lines().get(0).get("kvpList").get(0).get("path").asText()).isEqualTo(hostile);
  }

  @Test
  void writesTheStackOfAnError() throws Exception {
    configure("info");
    context.getLogger("x").error("failed", new IllegalStateException("boom"));
    JsonNode throwable = lines().get(0).get("throwable");
    assertThat(throwable.get("className").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(throwable.get("message").asText()).isEqualTo("boom");
    assertThat(throwable.get("stepArray")).isNotEmpty();
  }

  @Test
  void setsLevelsPerLoggerAndKeepsTheKubernetesClientAtWarnUnlessNamed() throws Exception {
    configure("warn,io.kulp.agent.work=debug");
    context.getLogger("io.kulp.agent.work.NodeReconciler").debug("shown");
    context.getLogger("io.kulp.agent.kube.StatusWriter").info("hidden");
    context.getLogger("io.kulp.agent.kube.StatusWriter").warn("shown too");
    assertThat(lines()).extracting(l -> l.get("formattedMessage").asText()).containsExactly("shown", "shown too");

    out.reset();
    configure("debug");
    context.getLogger("io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager").info("reconnecting");
    context.getLogger("io.fabric8.kubernetes.client.Config").warn("gone");
    assertThat(lines()).extracting(l -> l.get("formattedMessage").asText()).containsExactly("gone");
  }

  @Test
  void warnsInJsonAboutPartsOfTheLevelItDoesNotUnderstand() throws Exception {
    configure("verbose,io.kulp=debug,=info");
    JsonNode line = lines().get(0);
    assertThat(line.get("level").asText()).isEqualTo("WARN");
    assertThat(line.get("kvpList").toString()).isEqualTo("[{\"ignored\":\"verbose,=info\"}]");
    assertThat(context.getLogger("io.kulp").getLevel()).isEqualTo(Level.DEBUG);
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
  }

  @Test
  void parsesLevelsAndLoggerLevels() {
    assertThat(LogLevels.parse(null)).isEqualTo(new LogLevels(Level.INFO, Map.of("io.fabric8", Level.WARN), ""));
    assertThat(LogLevels.parse(" DEBUG , io.fabric8=info ")).isEqualTo(
        new LogLevels(Level.DEBUG, Map.of("io.fabric8", Level.INFO), ""));
    assertThat(LogLevels.parse("error")).isEqualTo(new LogLevels(Level.ERROR, Map.of(), ""));
  }
}
