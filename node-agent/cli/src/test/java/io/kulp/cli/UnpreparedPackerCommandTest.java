package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.FixtureCopy;
import io.kulp.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ulp packer} and {@code ulp dump} with a function without padding, in-process. */
class UnpreparedPackerCommandTest {
  @TempDir Path tmp;
  private Path patches;

  @BeforeEach
  void copyFixtures() {
    patches = FixtureCopy.into(tmp);
  }

  @Test
  void packsZlibsCompressBoundUnpreparedAndDumpShowsIt() throws Exception {
    Files.writeString(patches.resolve("value_v2.dsc"),
        "value_v2.so\n@/lib/x86_64-linux-gnu/libz.so.1\ncompressBound:kfix_value_v2\n");

    CommandResult packed = ulp("packer", "-v", patches.resolve("value_v2.dsc").toString());
    CommandResult dump = ulp("dump", patches.resolve("value_v2.so").toString());

    assertThat(packed.exitCode()).as(packed.toString()).isZero();
    assertThat(packed.stdout()).containsPattern("compressBound: no live-patch padding; a 5-byte jump at its entry is"
        + " safe \\(unprepared, entry CRC [0-9a-f]{8}\\)")
        .contains("for libz.so.1 (1 function (1 unprepared), 0 references, 0 labels)");
    assertThat(dump.stdout()).containsPattern("compressBound @ 0x[0-9a-f]+ -> kfix_value_v2 \\(unprepared, entry CRC"
        + " [0-9a-f]{8}\\)");
  }

  @Test
  void refusesAFunctionThatCannotTakeTheJumpWithOneLineAndExitCode1() throws Exception {
    Path dsc = Files.writeString(patches.resolve("value_v2.dsc"), "value_v2.so\n@"
        + Fixtures.unprepared().resolve("libunprepared.so.1") + "\nunp_call_first:kfix_value_v2\n");
    byte[] before = Files.readAllBytes(patches.resolve("value_v2.so"));

    CommandResult r = ulp("packer", dsc.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).startsWith("ulp packer: " + dsc + ":3: function unp_call_first (0x")
        .contains("cannot be patched").contains("a thread in the callee would return into the middle of the jump")
        .hasLineCount(1);
    assertThat(Files.readAllBytes(patches.resolve("value_v2.so"))).isEqualTo(before);
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
