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
  void aMissingOrDifferentLibraryAndAPatchAlreadyThereOrNotThereSkipAProcessWithTheirReason() {
    assertThat(RuntimeError.LIB_NOT_LOADED.disposition()).isEqualTo(RuntimeError.Disposition.SKIP);
    assertThat(RuntimeError.LIB_NOT_LOADED.reason()).isEqualTo(Reason.LIBRARY_NOT_LOADED);
    assertThat(RuntimeError.BUILDID_MISMATCH.reason()).isEqualTo(Reason.OTHER_BUILD);
    assertThat(RuntimeError.NO_BUILDID.reason()).isEqualTo(Reason.NO_BUILD_ID);
    assertThat(RuntimeError.ALREADY_APPLIED.reason()).isEqualTo(Reason.ALREADY_APPLIED);
    assertThat(RuntimeError.NOT_APPLIED.reason()).isEqualTo(Reason.NOT_APPLIED);
    for (RuntimeError e : RuntimeError.values()) {
      assertThat(e.reason() != null).as(e.name()).isEqualTo(e.disposition() == RuntimeError.Disposition.SKIP);
    }
  }

  @Test
  void onlyNotNowAnswersAreRetriedAndEveryOtherRefusalFails() {
    assertThat(RuntimeError.OK.disposition()).isEqualTo(RuntimeError.Disposition.DONE);
    assertThat(RuntimeError.AGAIN.disposition()).isEqualTo(RuntimeError.Disposition.RETRY);
    assertThat(RuntimeError.BUSY.disposition()).isEqualTo(RuntimeError.Disposition.RETRY);
    assertThat(RuntimeError.PADDING.disposition()).isEqualTo(RuntimeError.Disposition.FAIL);
    assertThat(RuntimeError.DLOPEN.disposition()).isEqualTo(RuntimeError.Disposition.FAIL);
    assertThat(RuntimeError.TIMEOUT.disposition()).isEqualTo(RuntimeError.Disposition.FAIL);
  }
}
