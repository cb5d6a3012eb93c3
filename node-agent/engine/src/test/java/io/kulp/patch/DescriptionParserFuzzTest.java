package io.kulp.patch;

import io.kulp.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the {@code .dsc} parser (docs/fuzzing.md): random bytes, and descriptions made of every
 * kind of line with awkward parts (NUL bytes, colons, control and non-ASCII characters, names
 * longer than the format allows, too many lines of a kind). Only DescriptionException may come out.
 */
class DescriptionParserFuzzTest {
  private static final Path DSC = Path.of("/work/patches/fuzz.dsc");

  @Property
  void randomBytesAreRejectedCleanly(@ForAll byte[] bytes) {
    parses(bytes);
  }

  @Property
  void descriptionsOfAwkwardLinesParseOrAreRejectedCleanly(@ForAll("descriptions") String text) {
    parses(text.getBytes(StandardCharsets.UTF_8));
  }

  private static void parses(byte[] bytes) {
    Fuzz.allowing(() -> DescriptionParser.parse(DSC, bytes), DescriptionException.class);
  }

  @Provide
  Arbitrary<String> descriptions() {
    Arbitrary<String> part = Arbitraries.oneOf(Arbitraries.of("fix.so", "kfix_value", "kfix_value_v2", "../lib/libkfix.so.1",
        "/abs/lib.so", ":", "::", " ", "\t", "\0", "\r", "é", "\u2028", "\uFEFF", "%", "#", "@", "!", "a:b", "x".repeat(1100),
        "CVE-2026-0001", "\u0001"), Arbitraries.strings().ofMaxLength(12));
    Arbitrary<String> line = Combinators.combine(Arbitraries.of("", "", "@", "#", "#%", "!", " @", "\t!"),
        part.list().ofMaxSize(5)).as((prefix, parts) -> prefix + String.join("", parts));
    Arbitrary<String> repeated = Combinators.combine(Arbitraries.of("!label", "f%d:g%d", "#t%d:r%d"),
        Arbitraries.integers().between(0, 300)).as((form, n) -> {
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < n; i++) {
            b.append(form.replace("%d", Integer.toString(i))).append('\n');
          }
          return b.toString();
        });
    return Combinators.combine(Arbitraries.oneOf(line, Arbitraries.just("fix.so")), Arbitraries.oneOf(line, line, repeated)
        .list().ofMaxSize(12), Arbitraries.of("\n", "\r\n", "\r")).as((first, rest, newline) -> first + newline
            + String.join(newline, rest));
  }
}
