package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine reads and writes the runtime's memory by offsets: they must be the C compiler's. */
class AbiLayoutTest {
  @Test
  void everyOffsetAndSizeTheEngineUsesIsTheOneTheCompilerLaidOut() {
    String printed = Commands.output(Fixtures.runtimeDir().resolve("tests/abi_offsets").toString());
    Map<String, Long> compiler = new LinkedHashMap<>();
    for (String line : printed.split("\n")) {
      String[] f = line.trim().split(" ");
      compiler.put(f[0], Long.parseLong(f[1]));
    }
    assertThat(Abi.layout()).containsExactlyInAnyOrderEntriesOf(compiler);
  }
}
