package io.kulp.cli;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the launcher's JVM loads: Jackson (symbol files) only for the verbs that read or write JSON,
 * never for {@code ulp trigger}, whose start-up it would cost (docs/benchmarks.md, "CLI start-up").
 */
class UlpClassLoadingIT {
  private static final Map<String, String> LOG_CLASS_LOADING = Map.of("ULP_JAVA_OPTS", "-Xlog:class+load=info");

  @TempDir Path tmp;

  @Test
  void triggerLoadsNoJacksonClass() throws Exception {
    try (TargetProgram program = TargetProgram.start(Map.of("LD_PRELOAD", Fixtures.libpulp().toString()),
        Fixtures.fixture("kfix-driver"))) {
      program.await(l -> l.startsWith("ready"));

      CommandResult r = UlpCli.runWithEnv(LOG_CLASS_LOADING, "trigger", "-p", program.pid(), patch("value_v2"));

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.stdout()).contains("io.kulp.cli.TriggerCommand").contains("live patching succeeded")
          .doesNotContain("com.fasterxml");
    }
  }

  @Test
  void extractLoadsJacksonToWriteTheSymbolFile() {
    CommandResult r = UlpCli.runWithEnv(LOG_CLASS_LOADING, "extract", Fixtures.library(), "-o", tmp.resolve("s.json"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).contains("com.fasterxml.jackson.core.io.JsonStringEncoder");
  }
}
