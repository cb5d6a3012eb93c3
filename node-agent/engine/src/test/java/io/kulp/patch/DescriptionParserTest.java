package io.kulp.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.patch.PatchDescription.FunctionLine;
import io.kulp.patch.PatchDescription.ReferenceLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DescriptionParserTest {
  private static final Path DSC = Path.of("/work/patches/fix.dsc");

  @Test
  void readsEveryKindOfLine() throws DescriptionException {
    PatchDescription d = parse("""
        fix.so
        @../lib/libkfix.so.1
        !CVE-2026-0001

        kfix_value:kfix_value_v2
        #counter:kfix_counter_ref
        #%tls_hits:kfix_tls_ref
        !  bsc#1000002 value returns 2\s\s
        kfix_hidden : kfix_hidden_v2
        """);

    assertThat(d.container()).isEqualTo(Path.of("/work/patches/fix.so"));
    assertThat(d.target()).isEqualTo(Path.of("/work/lib/libkfix.so.1"));
    assertThat(d.targetLine()).isEqualTo(2);
    assertThat(d.functions()).containsExactly(new FunctionLine(5, "kfix_value", "kfix_value_v2"),
        new FunctionLine(9, "kfix_hidden", "kfix_hidden_v2"));
    assertThat(d.references()).containsExactly(new ReferenceLine(6, "counter", "kfix_counter_ref", ReferenceKind.DATA),
        new ReferenceLine(7, "tls_hits", "kfix_tls_ref", ReferenceKind.TLS));
    assertThat(d.labels()).containsExactly("CVE-2026-0001", "bsc#1000002 value returns 2");
  }

  @Test
  void keepsAbsolutePathsAndTheExactBytesForThePatchId() throws DescriptionException {
    String text = "/abs/fix.so\r\n@/abs/symbols.json\r\na:b\r\n";
    PatchDescription d = parse(text);

    assertThat(d.container()).isEqualTo(Path.of("/abs/fix.so"));
    assertThat(d.target()).isEqualTo(Path.of("/abs/symbols.json"));
    assertThat(d.functions()).containsExactly(new FunctionLine(3, "a", "b"));
    assertThat(d.bytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dropsEmptyLabels() throws DescriptionException {
    assertThat(parse("fix.so\n@lib.so\n!\n!   \na:b\n").labels()).isEmpty();
  }

  @Test
  void reportsAnEmptyDescriptionAtLineOne() {
    assertError("", 1, "empty description");
  }

  @Test
  void reportsAFirstLineThatIsNotTheContainer() {
    assertError("@lib.so\na:b\n", 1, "the first line (after `!` labels) must be the path of the container .so, found `@lib.so`");
    assertError("a:b\n@lib.so\n", 1, "the first line (after `!` labels) must be the path of the container");
    assertError("\n@lib.so\na:b\n", 2, "the first line (after `!` labels) must be the path of the container");
    assertError("!CVE-2026-0001\n#counter:ref\n", 2, "must be the path of the container .so, found `#counter:ref`");
  }

  @Test
  void takesLabelsAndEmptyLinesBeforeTheContainerAsLibpulpDoes() throws DescriptionException {
    PatchDescription d = parse("""
        ! This livepatch fixes bsc#1200316, jsc#SLE-20049, and CVE-2021-3449.

        fix.so
        @lib.so
        value:new_value
        """);

    assertThat(d.container()).isEqualTo(Path.of("/work/patches/fix.so"));
    assertThat(d.containerLine()).isEqualTo(3);
    assertThat(d.labels()).containsExactly("This livepatch fixes bsc#1200316, jsc#SLE-20049, and CVE-2021-3449.");
    assertThat(d.functions()).containsExactly(new FunctionLine(5, "value", "new_value"));
  }

  @Test
  void readsReferenceLinesWithTheOffsetsLibpulpsToolsWrite() throws DescriptionException {
    PatchDescription d = parse("""
        fix.so
        @lib.so.0.json
        banner_set:new_banner_set
        #banner:ulpr_banner:0000000000004010:0000000000004030
        #%banner:ti:0x0:0X4020
        """);

    assertThat(d.references()).containsExactly(
        new ReferenceLine(4, "banner", "ulpr_banner", ReferenceKind.DATA, new ReferenceLine.Offsets(0x4010, 0x4030)),
        new ReferenceLine(5, "banner", "ti", ReferenceKind.TLS, new ReferenceLine.Offsets(0, 0x4020)));
  }

  @Test
  void readsAFunctionLineWithTheOffsetOfTheOldFunctionAsLibpulpsExamplesHaveIt() throws DescriptionException {
    PatchDescription d = parse("a_livepatch1.so\n@./test\n_ZL4normPd:_Z8norm3_lpPd:40122e\n");

    assertThat(d.functions()).containsExactly(new FunctionLine(3, "_ZL4normPd", "_Z8norm3_lpPd", 0x40122eL));
  }

  @Test
  void reportsOffsetsThatAreNotHexadecimal() {
    assertError("fix.so\n@lib.so\n#a:b:12g4:10\n", 3, "the target offset `12g4` is not a hexadecimal number");
    assertError("fix.so\n@lib.so\n#a:b:10:\n", 3, "the patch offset `` is not a hexadecimal number");
    assertError("fix.so\n@lib.so\n#a:b:10\n", 3,
        "expected `#target:ref` or `#target:ref:TARGET_OFFSET:PATCH_OFFSET`, found `#a:b:10`");
  }

  @Test
  void takesADescriptionWithReferencesOnly() throws DescriptionException {
    PatchDescription d = parse("fix.so\n@lib.so\n#counter:kfix_counter_seen\n");

    assertThat(d.functions()).isEmpty();
    assertThat(d.references()).containsExactly(new ReferenceLine(3, "counter", "kfix_counter_seen", ReferenceKind.DATA));
  }

  @Test
  void reportsAnUnknownLineWithTheKindsExpected() {
    assertError("fix.so\n@lib.so\nkfix_value kfix_value_v2\n", 3, "expected `old:new`, `@target`, `#target:ref`");
  }

  @Test
  void reportsPairsWithoutExactlyOneColon() {
    assertError("fix.so\n@lib.so\na:b:c:d\n", 3, "expected `old:new` with exactly one `:`, found `a:b:c:d`");
    assertError("fix.so\n@lib.so\na:b:xyz\n", 3, "the function offset `xyz` is not a hexadecimal number");
    assertError("fix.so\n@lib.so\na:b\n#counter\n", 4, "expected `#target:ref` or `#target:ref:TARGET_OFFSET:PATCH_OFFSET`");
    assertError("fix.so\n@lib.so\na:b\n#%tls:\n", 4, "empty symbol name in `#%target:ref`");
    assertError("fix.so\n@lib.so\n:b\n", 3, "empty symbol name in `old:new`");
  }

  @Test
  void reportsNamesWithWhiteSpaceInside() {
    assertError("fix.so\n@lib.so\nkfix value:b\n", 3, "symbol name `kfix value` contains white space");
  }

  @Test
  void reportsASecondTargetAndAnEmptyOne() {
    assertError("fix.so\n@lib.so\n@other.so\na:b\n", 3, "a second `@` line: the target is already given on line 2");
    assertError("fix.so\n@\na:b\n", 2, "`@` must be followed by the path");
  }

  @Test
  void reportsAMissingTargetAndMissingFunctionsAtTheLastLine() {
    assertError("fix.so\na:b\n", 2, "no `@` line");
    assertError("fix.so\n@lib.so\n!label\n", 3, "no `old:new` or `#target:ref` line: the description patches nothing");
  }

  @Test
  void reportsAFunctionReplacedTwice() {
    assertError("fix.so\n@lib.so\na:b\na:c\n", 4, "function a is already replaced on line 3");
  }

  @Test
  void reportsBytesThatAreNotUtf8AtTheirLine() {
    byte[] bytes = "fix.so\n@lib.so\na:b\n\u0000".getBytes(StandardCharsets.UTF_8);
    byte[] bad = java.util.Arrays.copyOf(bytes, bytes.length + 2);
    bad[bad.length - 3] = (byte) 0xff;
    bad[bad.length - 2] = (byte) 0xfe;
    bad[bad.length - 1] = '\n';
    assertThatThrownBy(() -> DescriptionParser.parse(DSC, bad)).isInstanceOf(DescriptionException.class)
        .hasMessage(DSC + ":4: not UTF-8 text: is this a description file?");
  }

  @Test
  void reportsTooManyLabels() {
    StringBuilder text = new StringBuilder("fix.so\n@lib.so\na:b\n");
    for (int i = 0; i < 33; i++) {
      text.append("!label ").append(i).append('\n');
    }
    assertError(text.toString(), 36, "more than 32 labels");
  }

  private static PatchDescription parse(String text) throws DescriptionException {
    return DescriptionParser.parse(DSC, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertError(String text, int line, String problem) {
    assertThatThrownBy(() -> parse(text)).isInstanceOf(DescriptionException.class)
        .hasMessageStartingWith(DSC + ":" + line + ": ").hasMessageContaining(problem)
        .satisfies(e -> assertThat(((DescriptionException) e).line()).isEqualTo(line));
  }
}
