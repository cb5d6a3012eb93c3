package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DaemonRequestTest {
  /** A request body as ulp-client writes it: NUL-terminated strings. */
  private static byte[] body(String... words) {
    return (String.join("\0", words) + "\0").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsWhatUlpClientSends() {
    DaemonRequest r = DaemonRequest.parse(body("2", "/home/user", "001", "3", "trigger", "-p", "7", "TERM=xterm",
        "KULP_X=1", "KULP_Y=b=c", "KULP_X=2"));

    assertThat(r.workingDirectory()).isEqualTo(Path.of("/home/user"));
    assertThat(r.stderrIsTerminal()).isTrue();
    assertThat(r.args()).containsExactly("trigger", "-p", "7");
    assertThat(r.environment()).isEqualTo(Map.of("TERM", "xterm", "KULP_X", "2", "KULP_Y", "b=c"));
  }

  @Test
  void runsTheCommandInTheClientsDirectoryAndNeverOnTheClientOrTheDaemon() {
    Invocation inv = DaemonRequest.parse(body("2", "/srv/patches", "000", "0")).invocation(4242);

    assertThat(inv.resolve("fix.so")).isEqualTo(Path.of("/srv/patches/fix.so"));
    assertThat(inv.resolve("/abs/fix.so")).isEqualTo(Path.of("/abs/fix.so"));
    assertThat(inv.selfPids()).isEqualTo(Set.of(4242L, ProcessHandle.current().pid()));
    assertThat(inv.stderrIsTerminal()).isFalse();
  }

  @Test
  void aDumbTerminalIsNoTerminal() {
    assertThat(DaemonRequest.parse(body("2", "/", "111", "0", "TERM=dumb")).invocation(1).stderrIsTerminal())
        .isFalse();
  }

  @Test
  void refusesMalformedRequests() {
    assertThatThrownBy(() -> DaemonRequest.parse(body("1", "/", "000", "0")))
        .hasMessageContaining("not a version 2 request");
    assertThatThrownBy(() -> DaemonRequest.parse(body("2", "relative", "000", "0")))
        .hasMessageContaining("not absolute");
    assertThatThrownBy(() -> DaemonRequest.parse(body("2", "/", "000", "5", "trigger")))
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> DaemonRequest.parse("2\0/\0unterminated".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("does not end with a NUL");
  }
}
