package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The C tests of the runtime (runtime-c/tests/test_runtime.c), which call libpulp.so's entry point
 * directly, with no ptrace, on the containers this build packed. Each TAP line becomes a test.
 */
class RuntimeCTestsIT {
  private static final Pattern TAP = Pattern.compile("^(ok|not ok) \\d+ - (\\w+)");

  @TestFactory
  List<DynamicTest> theRuntimesOwnTestsPass() {
    CommandResult run = Commands.run(Fixtures.runtimeDir().resolve("tests/test_runtime").toString(),
        Fixtures.patchesDir().toString());
    List<DynamicTest> tests = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (String line : run.stdout().split("\n")) {
      if (line.startsWith("#")) {
        details.add(line);
        continue;
      }
      Matcher m = TAP.matcher(line);
      if (m.find()) {
        boolean ok = m.group(1).equals("ok");
        List<String> why = List.copyOf(details);
        tests.add(DynamicTest.dynamicTest(m.group(2), () -> assertThat(ok).as(String.join("\n", why)).isTrue()));
        details.clear();
      }
    }
    tests.add(DynamicTest.dynamicTest("allTestsReported", () -> {
      assertThat(tests).hasSizeGreaterThanOrEqualTo(24);
      assertThat(run.exitCode()).as(run.toString()).isZero();
    }));
    return tests;
  }
}
