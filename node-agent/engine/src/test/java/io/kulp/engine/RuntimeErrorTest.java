package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.Fixtures;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** kulp.h keeps each error code next to its message; the engine's table must say the same. */
class RuntimeErrorTest {
  @Test
  void theEnginesErrorTableIsTheRuntimesKulpErrorsTable() throws Exception {
    String header = Files.readString(Fixtures.runtimeDir().resolveSibling("include/kulp.h"));
    Matcher m = Pattern.compile("X\\((KULP_\\w+), (\\d+), \"([^\"]*)\"\\)").matcher(header);
    List<String> runtime = new ArrayList<>();
    while (m.find()) {
      runtime.add(m.group(2) + " " + m.group(3));
    }
    List<String> engine = new ArrayList<>();
    for (RuntimeError e : RuntimeError.values()) {
      engine.add(e.code() + " " + e.text());
    }
    assertThat(runtime).hasSizeGreaterThan(10);
    assertThat(engine).containsExactlyElementsOf(runtime);
  }

  @Test
  void aCodeTheEngineDoesNotKnowIsAnInternalError() {
    assertThat(RuntimeError.of(9999)).isEqualTo(RuntimeError.INTERNAL);
  }

  @Test
  void onlyAMissingOrDifferentLibrarySkipsAProcess() {
    assertThat(RuntimeError.LIB_NOT_LOADED.skips()).isTrue();
    assertThat(RuntimeError.BUILDID_MISMATCH.skips()).isTrue();
    assertThat(RuntimeError.PADDING.skips()).isFalse();
    assertThat(RuntimeError.DLOPEN.skips()).isFalse();
  }
}
