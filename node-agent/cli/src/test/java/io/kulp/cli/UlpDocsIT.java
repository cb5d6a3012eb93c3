package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The man pages and the bash completion that the build installs next to the launcher, as a user reads them. */
class UlpDocsIT {
  private static final Path TARGET = Fixtures.ulp().getParent();

  @Test
  void manUlpListsEveryVerbAndEachVerbHasItsPage() {
    CommandResult ulp = Commands.run(List.of("man", "-l", TARGET.resolve("ulp.1").toString()), Map.of("MANWIDTH", "100"));
    assertThat(ulp.exitCode()).as(ulp.toString()).isZero();
    for (String verb : List.of("packer", "post", "dump", "extract", "livepatchable", "trigger", "patches", "check",
        "messages", "set_patchable")) {
      assertThat(ulp.stdout()).contains("\n       " + verb + "\n");
      assertThat(TARGET.resolve("man/man1/ulp-" + verb + ".1")).isRegularFile();
    }
    assertThat(ulp.stdout()).contains("ULP_DAEMON=off").contains("ULP_DAEMON_IDLE").contains("ULP_JAVA_OPTS");
    CommandResult trigger = Commands.run(List.of("man", "-l", TARGET.resolve("man/man1/ulp-trigger.1").toString()),
        Map.of("MANWIDTH", "100"));
    assertThat(trigger.stdout()).contains("ulp-trigger - Apply live patches").contains("--disable-summarization")
        .contains("--revert-all=LIB");
  }

  @Test
  void bashCompletesVerbsAndTheirOptions() {
    assertThat(complete("ulp", "trig")).contains("trigger");
    assertThat(complete("ulp", "trigger", "--rec")).contains("--recursive");
    assertThat(complete("ulp", "patches", "--only")).contains("--only-livepatched");
  }

  @Test
  void theLaunchersClassPathHoldsNoCodeGenerator() throws Exception {
    assertThat(Files.readString(Fixtures.ulp())).doesNotContain("codegen");
    try (var libs = Files.list(TARGET.resolve("lib"))) {
      assertThat(libs.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("codegen"));
    }
  }

  /** What bash offers for the last word of {@code words}, with target/ulp.bash sourced. */
  private static String complete(String... words) {
    String script = "source " + TARGET.resolve("ulp.bash") + "; COMP_WORDS=(" + String.join(" ", words) + ");"
        + " COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + String.join(" ", words) + "';"
        + " COMP_POINT=${#COMP_LINE}; _complete_ulp; printf '%s\\n' \"${COMPREPLY[@]}\"";
    CommandResult r = Commands.run(List.of("bash", "-c", script), Map.of());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.stdout();
  }
}
