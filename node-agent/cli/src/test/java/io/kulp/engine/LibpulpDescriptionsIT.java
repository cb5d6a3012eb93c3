package io.kulp.engine;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.FixtureCopy;
import io.kulp.testing.Fixtures;
import io.kulp.testing.LibpulpTools;
import io.kulp.testing.TargetProgram;
import io.kulp.testing.UlpCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descriptions and files as a libpulp user has them (issue #15, item 1), through the real
 * {@code ulp} on a running program, each checked in what the program prints: offsets in
 * {@code #} lines, static pointers, a label first, a function reference, references only,
 * {@code ulp extract} symbol files, libraries {@code ulp post} processed, libtool's links.
 */
class LibpulpDescriptionsIT {
  @TempDir Path tmp;
  private TargetProgram program;

  private TargetProgram start(Path driver) throws Exception {
    program = TargetProgram.startPreloaded(driver);
    program.await(l -> l.startsWith("ready"));
    return program;
  }

  @AfterEach
  void stop() {
    if (program != null) {
      program.close();
    }
  }

  private CommandResult trigger(Object... args) {
    Object[] all = new Object[args.length + 3];
    all[0] = "trigger";
    all[1] = "-p";
    all[2] = program.pid();
    System.arraycopy(args, 0, all, 3, args.length);
    return UlpCli.run(all);
  }

  @Test
  void staticPointersAtTheOffsetsOfTheDescriptionReachTheLibrarysDataAndTls() throws Exception {
    // libkfix_livepatch1.dsc: a label first, `#counter:ulpr_counter:T:P` and
    // `#%tls_hits:ulpr_tls:T:P` with nm's offsets, static pointers, the container a libtool link.
    Path container = Fixtures.patchesDir().resolve("libkfix_livepatch1.so");
    assertThat(container).isSymbolicLink();
    start(Fixtures.fixture("kfix-driver"));
    program.ask("counter", "counter");
    assertThat(program.ask("counter", "counter")).isEqualTo("2");
    assertThat(program.ask("tls", "tls")).isEqualTo("1");

    CommandResult r = trigger(container);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("counter", "counter")).as("the library's own counter, +1000").isEqualTo("1002");
    assertThat(program.ask("tls", "tls")).isEqualTo("1001");
    assertThat(UlpCli.run("patches", "-p", program.pid()).stdout()).contains("bsc#1200316");
    assertThat(UlpCli.run("dump", container).stdout()).containsPattern("data +counter @ 0x[0-9a-f]+ -> ulpr_counter @ 0x");
    assertThat(trigger("--revert", container).exitCode()).isZero();
    assertThat(program.ask("counter", "counter")).as("the original code, on the same variable").isEqualTo("1003");
  }

  @Test
  void aReferenceToAStaticFunctionLetsThePatchCallIt() throws Exception {
    start(Fixtures.fixture("kfix-driver"));
    assertThat(program.ask("value", "value")).isEqualTo("1");

    CommandResult r = trigger(patch("fnref"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("value", "value")).as("kfix_hidden(41), static in the library").isEqualTo("42");
  }

  @Test
  void aDescriptionWithReferencesOnlyAppliesAndReverts() throws Exception {
    start(Fixtures.fixture("kfix-driver"));

    CommandResult applied = trigger(patch("refs_only"));
    CommandResult patches = UlpCli.run("patches", "-p", program.pid());
    CommandResult reverted = trigger("--revert", patch("refs_only"));

    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(patches.stdout()).contains("on libkfix.so.1");
    assertThat(reverted.exitCode()).as(reverted.toString()).isZero();
    assertThat(UlpCli.run("patches", "-p", program.pid()).stdout()).contains("Applied patches: none");
  }

  @Test
  void aPatchPackedAgainstALibpulpSymbolFileApplies() throws Exception {
    Path patches = FixtureCopy.into(tmp);
    LibpulpTools.extract(Fixtures.library(), tmp.resolve("fixtures/libkfix.so.1.json"));
    Files.writeString(patches.resolve("tls.dsc"), "tls.so\n@../fixtures/libkfix.so.1.json\nkfix_tls:kfix_tls_v2\n"
        + "#%tls_hits:kfix_tls_ref\n");
    CommandResult packed = UlpCli.run("packer", patches.resolve("tls.dsc"));
    assertThat(packed.exitCode()).as(packed.toString()).isZero();
    start(Fixtures.fixture("kfix-driver"));
    assertThat(program.ask("tls", "tls")).isEqualTo("1");

    CommandResult r = trigger(patches.resolve("tls.so"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("tls", "tls")).isEqualTo("1001");
  }

  @Test
  void aLibraryThatLibpulpsUlpPostProcessedIsLivepatchablePackedAndPatched() throws Exception {
    Path patches = FixtureCopy.into(tmp);
    Path library = tmp.resolve("fixtures/libkfix.so.1");
    assertThat(LibpulpTools.post(library)).isEqualTo(9);
    // The driver finds the library beside itself ($ORIGIN).
    Path driver = Files.copy(Fixtures.fixture("kfix-driver"), tmp.resolve("fixtures/kfix-driver"),
        StandardCopyOption.COPY_ATTRIBUTES);

    CommandResult livepatchable = UlpCli.run("livepatchable", library);
    CommandResult packed = UlpCli.run("packer", patches.resolve("multi.dsc"));

    assertThat(livepatchable.exitCode()).as(livepatchable.toString()).isZero();
    assertThat(livepatchable.stdout()).isEqualTo("libkfix.so.1: livepatchable: 9 functions carry the padding\n");
    assertThat(packed.exitCode()).as(packed.toString()).isZero();
    start(driver);
    assertThat(program.ask("value", "value")).isEqualTo("1");
    assertThat(program.ask("endbr", "endbr")).isEqualTo("100");

    CommandResult r = trigger(patches.resolve("multi.so"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("50");
    assertThat(program.ask("endbr", "endbr")).as("endbr64, then 66 90").isEqualTo("250");
    assertThat(trigger("--revert", patches.resolve("multi.so")).exitCode()).isZero();
    assertThat(program.ask("value", "value")).isEqualTo("1");
    assertThat(program.ask("endbr", "endbr")).isEqualTo("100");
  }
}
