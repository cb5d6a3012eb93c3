package io.kulp.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class JsonLoggerTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final JsonLoggerFactory factory =
      new JsonLoggerFactory(Level.INFO, new PrintStream(out, true, StandardCharsets.UTF_8));

  private String written() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void writesOneJsonObjectPerEventWithTheKeyValuePairsAsFields() {
    Logger log = factory.getLogger("io.kulp.agent.Test");

    log.atInfo().addKeyValue("pid", 42).addKeyValue("pod", "ns/p\"1").log("process {}: {}", 42, "Applied");

    assertThat(written()).matches("\\{\"ts\":\"[^\"]+\",\"level\":\"info\",\"logger\":\"io.kulp.agent.Test\","
        + "\"msg\":\"process 42: Applied\",\"pid\":42,\"pod\":\"ns/p\\\\\"1\"}\\n");
  }

  @Test
  void dropsEventsBelowTheLevelAndKeepsTheKubernetesClientAtWarnings() {
    factory.getLogger("io.kulp.agent.Test").debug("hidden");
    factory.getLogger("io.fabric8.kubernetes.client.Watch").info("reconnecting");
    factory.getLogger("io.fabric8.kubernetes.client.Watch").warn("gone");

    assertThat(written()).doesNotContain("hidden").doesNotContain("reconnecting").contains("\"msg\":\"gone\"");
  }

  @Test
  void putsTheStackTraceIntoOneEscapedField() {
    factory.getLogger("x").error("failed", new IllegalStateException("bad\nthing"));

    assertThat(written()).contains("\"error\":\"java.lang.IllegalStateException: bad\\nthing\\n\\tat ")
        .hasLineCount(1);
  }

  @Test
  void escapesTheControlAndFormatCharactersThatATerminalOrViewerWouldInterpret() {
    factory.getLogger("x").atWarn().addKeyValue("reason", "a\u009b2Jb\u007f\u202ec\u2028d").log("e\u001b[2J");

    assertThat(written()).contains("\"msg\":\"e\\u001b[2J\"")
        .contains("\"reason\":\"a\\u009b2Jb\\u007f\\u202ec\\u2028d\"");
  }
}
