package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ulp livepatchable}: how many functions each path can patch, and with {@code --functions}
 * the verdict for each one (docs/design.md "Functions without padding").
 */
class LivepatchableCommandTest {
  static final String LIBZ = "/lib/x86_64-linux-gnu/libz.so.1";
  static final Path UNPREPARED = Fixtures.unprepared();

  @Test
  void aLibraryWithPaddingIsAnsweredAsLibpulpDoes() {
    CommandResult r = ulp("livepatchable", Fixtures.library().toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("libkfix.so.1: livepatchable: 9 functions carry the padding\n");
  }

  @Test
  void zlibWithoutPaddingIsLivepatchableByJumpsAtTheEntries() {
    CommandResult r = ulp("livepatchable", LIBZ);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).matches("libz\\.so\\.1: livepatchable: 0 functions carry the padding, \\d+ more can take a"
        + " jump at their entry, \\d+ cannot\n");
  }

  @Test
  void functionsListsEachFunctionsVerdict() {
    CommandResult r = ulp("livepatchable", "--functions", LIBZ);

    List<String> lines = Arrays.asList(r.stdout().split("\n"));
    assertThat(r.exitCode()).isZero();
    assertThat(lines).contains("compressBound unprepared", "zlibVersion unprepared", "crc32 unprepared",
        "adler32 unprepared");
    assertThat(lines.get(lines.size() - 1)).startsWith("libz.so.1: livepatchable: 0 functions carry the padding");
  }

  @Test
  void functionsGivesTheReasonForEachRefusal() {
    CommandResult r = ulp("livepatchable", "--functions", UNPREPARED.resolve("libunprepared.so.1").toString());

    assertThat(r.stdout()).contains("unp_ordinary unprepared\n", "unp_cet unprepared\n",
        "unp_tiny no: it is too short to hold the 5-byte jump: 3 bytes\n")
        .containsPattern("unp_branch_back no: 0x[0-9a-f]+ is the target of the branch at 0x[0-9a-f]+");
  }

  @Test
  void functionsMarksThePaddedFunctionsOfTheFixturePrepared() {
    CommandResult r = ulp("livepatchable", "--functions", Fixtures.library().toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("kfix_value prepared\n", "kfix_counter prepared\n")
        .contains("libkfix.so.1: livepatchable: ");
  }

  @Test
  void aStrippedLibrarysStaticFunctionsAreListedFromItsDebugFile() {
    CommandResult r = ulp("livepatchable", "--functions", "--debug-dir", UNPREPARED.resolve("debug").toString(),
        UNPREPARED.resolve("stripped/libunprepared.so.1").toString());

    assertThat(r.stdout()).contains("unp_static unprepared\n").contains("(symbols from .symtab of ");
  }

  private static CommandResult ulp(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cli = Ulp.commandLine();
    cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    int code = Ulp.execute(cli, args);
    return new CommandResult(code, out.toString(), err.toString());
  }
}
